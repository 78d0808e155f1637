import { defineModule } from '../types.js';

export interface FailParams {
  msg?: unknown;
}

export const failModule = defineModule<FailParams>({
  name: 'fail',
  schema: 'fail',
  async plan(p) {
    const msg = p.msg === undefined ? 'Failed as requested from task' : p.msg;
    return { steps: [], failed: typeof msg === 'string' ? msg : JSON.stringify(msg) };
  },
});
