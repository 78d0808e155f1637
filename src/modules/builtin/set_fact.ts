import { defineModule } from '../types.js';

/** Variable names and their (already templated) values; `cacheable` is accepted and ignored. */
export type SetFactParams = Record<string, unknown> & { cacheable?: boolean };

export const setFactModule = defineModule<SetFactParams>({
  name: 'set_fact',
  schema: 'set_fact',
  async plan(p) {
    const { cacheable: _ignored, ...facts } = p;
    if (Object.keys(facts).length === 0)
      return {
        steps: [],
        failed: 'No key/value pairs provided, at least one is required for this action to succeed',
      };
    return { steps: [], facts, result: { ansible_facts: facts } };
  },
});
