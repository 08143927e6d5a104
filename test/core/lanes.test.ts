import { LocalLanes } from '../../src/core/lanes.ts';
import { lanesContract } from './lanes-contract.ts';

lanesContract({
  name: 'one process (LocalLanes)',
  async make(errors) {
    return { lanes: new LocalLanes(Date.now, (_a, e) => errors.push(e)), close: async () => {} };
  },
});
