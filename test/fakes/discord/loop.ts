import type { RestAnswer } from './rest.ts';
import type { FakeModal } from './types.ts';

// Wire checks of the everyday loop's Discord parts (issue 14), as Discord answers them: the modal of an
// interaction response (type 9) and command registration (chat input type 1, message commands type 3, the
// install types and contexts of a user-installable app). A violation answers 400 / 50035 like Discord.

const invalid = (what: string): RestAnswer => ({
  status: 400,
  body: {
    message: 'Invalid Form Body',
    code: 50035,
    errors: { _errors: [{ code: 'BASE_TYPE_INVALID', message: what }] },
  },
});

type Body = Record<string, unknown>;

/** The text inputs of a modal, by custom id; or the reason Discord would refuse it. */
export function checkModal(data: Body): { modal: FakeModal } | RestAnswer {
  const m = data as unknown as FakeModal;
  if (typeof m.custom_id !== 'string' || m.custom_id.length < 1 || m.custom_id.length > 100)
    return invalid('custom_id: 1-100 characters');
  if (typeof m.title !== 'string' || m.title.length < 1 || m.title.length > 45)
    return invalid('title: 1-45 characters');
  if (!Array.isArray(m.components) || m.components.length < 1 || m.components.length > 5)
    return invalid('components: 1-5');
  for (const c of m.components) {
    const inputs = c.type === 18 ? [c.component] : c.type === 1 ? (c.components ?? []) : [];
    if (c.type === 18 && (typeof c.label !== 'string' || c.label.length < 1 || c.label.length > 45))
      return invalid('label: 1-45 characters');
    if (inputs.length !== 1) return invalid('components: a label or action row holds one text input');
    for (const input of inputs) {
      if (input?.type !== 4 || typeof input.custom_id !== 'string') return invalid('text input expected');
      const max = input.max_length ?? 4000;
      if (max < 1 || max > 4000) return invalid('max_length: 1-4000');
    }
  }
  return { modal: m };
}

const CHAT_INPUT_NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

/** A command list of PUT /applications/<id>/commands, checked like Discord; undefined when it is valid. */
export function checkCommands(list: Body[]): RestAnswer | undefined {
  for (const c of list) {
    const type = Number(c.type ?? 1);
    const name = String(c.name ?? '');
    if (type === 1) {
      if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) return invalid(`name: ${name}`);
      const d = String(c.description ?? '');
      if (d.length < 1 || d.length > 100) return invalid(`description of ${name}`);
    } else if (type === 2 || type === 3) {
      // User and message commands: any case and spaces, no description, no options.
      if (name.length < 1 || name.length > 32) return invalid(`name: ${name}`);
      if (c.description !== undefined && c.description !== '')
        return invalid(`description of ${name} must be empty`);
      if (c.options !== undefined) return invalid(`options of ${name}`);
    } else return invalid(`type ${type}`);
    const integration = c.integration_types as unknown;
    if (
      integration !== undefined &&
      !(Array.isArray(integration) && integration.every((t) => t === 0 || t === 1))
    )
      return invalid(`integration_types of ${name}`);
    const contexts = c.contexts as unknown;
    if (
      contexts !== undefined &&
      !(Array.isArray(contexts) && contexts.every((t) => t === 0 || t === 1 || t === 2))
    )
      return invalid(`contexts of ${name}`);
  }
  return undefined;
}
