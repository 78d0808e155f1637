import { describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import {
  type CheckedReloadParams,
  checkedReloadModule,
} from '../../../src/modules/service/checked-reload.js';
import type { Step } from '../../../src/modules/types.js';
import { planContext, targetWithFiles } from './context.js';

const MARK = '/etc/haproxy/ssl/.ovnctl-reload-pending';
const base: CheckedReloadParams = {
  name: 'haproxy',
  check: 'haproxy -c -f /etc/haproxy/haproxy.cfg',
  command: 'systemctl reload haproxy',
  pending_file: MARK,
};

async function plan(p: CheckedReloadParams, existing: string[] = []) {
  return checkedReloadModule.plan(p, planContext({ target: targetWithFiles(existing) }));
}

const shape = (steps: Step[]) =>
  steps.map((s) => (s.kind === 'exec' ? `exec ${s.command}` : `${s.kind} ${s.path}`));

describe('checked_reload', () => {
  it('does nothing when nothing changed and no reload is owed', async () => {
    const p = await plan({ ...base, pending: false });
    expect(p.steps).toEqual([]);
    expect(p.result).toEqual({ reloaded: false });
  });

  it('records the owed reload, checks, reloads, then clears the record', async () => {
    const p = await plan({ ...base, pending: 'True' });
    expect(shape(p.steps)).toEqual([
      `write ${MARK}`,
      'exec haproxy -c -f /etc/haproxy/haproxy.cfg',
      'exec systemctl reload haproxy',
      `remove ${MARK}`,
    ]);
    const marker = p.steps[0] as Step & { kind: 'write' };
    expect(marker.mode).toBe(0o600);
    expect(marker.content.toString()).toMatch(/^haproxy: reload owed since /);
  });

  it('reloads for a reload an earlier run owed, without a change in this run', async () => {
    const p = await plan({ ...base, pending: false }, [MARK]);
    expect(shape(p.steps)).toEqual([
      'exec haproxy -c -f /etc/haproxy/haproxy.cfg',
      'exec systemctl reload haproxy',
      `remove ${MARK}`,
    ]);
    expect(p.result?.reason).toBe(`an earlier run (${MARK})`);
  });

  it('state=pending only writes the record, once', async () => {
    const first = await plan({ name: 'haproxy', pending: true, pending_file: MARK, state: 'pending' });
    expect(shape(first.steps)).toEqual([`write ${MARK}`]);
    const again = await plan({ name: 'haproxy', pending: true, pending_file: MARK, state: 'pending' }, [
      MARK,
    ]);
    expect(again.steps).toEqual([]);
    const unchanged = await plan({ name: 'haproxy', pending: false, pending_file: MARK, state: 'pending' });
    expect(unchanged.steps).toEqual([]);
  });

  it('a restart also settles the records it makes redundant (only those that exist)', async () => {
    const other = '/etc/rabbitmq/.ovnctl-pem-reload-pending';
    const absent = '/etc/rabbitmq/.never-written';
    const p = await plan(
      {
        name: 'rabbitmq',
        command: 'restart-it',
        pending: true,
        pending_file: '/etc/rabbitmq/.restart',
        also_clear: [other, absent],
      },
      [other],
    );
    expect(shape(p.steps)).toEqual([
      'write /etc/rabbitmq/.restart',
      'exec restart-it',
      'remove /etc/rabbitmq/.restart',
      `remove ${other}`,
    ]);
  });

  it('works without a record file or a check', async () => {
    const p = await plan({ name: 'x', command: 'reload-x', pending: true });
    expect(shape(p.steps)).toEqual(['exec reload-x']);
  });

  it('needs a command to reload and a file to record in', async () => {
    await expect(plan({ name: 'x', pending: true })).rejects.toThrow(OvnctlError);
    await expect(plan({ name: 'x', pending: true, state: 'pending' })).rejects.toThrow('needs pending_file');
  });
});
