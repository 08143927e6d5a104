import { createStore } from '../../src/store/index.ts';
import { silentLogger, storeContract } from './contract.ts';

storeContract({
  name: 'memory',
  open: (namespace) => createStore('memory://', { logger: silentLogger, namespace }),
  shared: false,
});
