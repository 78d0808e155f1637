import { describe, expect, it } from 'vitest';
import { ovnGlobalModule } from '../../../src/modules/ovn/global.js';
import { FakeHost, jsonTable, planContext } from './fake-host.js';

function host(rows: unknown[][], headings = ['ipsec', 'options']) {
  return new FakeHost('central1', {
    answer: (cmd) => (cmd.includes('list NB_Global') ? { stdout: jsonTable(headings, rows) } : undefined),
  });
}

describe('ovn_global', () => {
  it('turns IPsec on with NAT-T for libreswan', async () => {
    const h = host([[false, ['map', []]]]);
    const plan = await ovnGlobalModule.plan(
      { db: 'nb', columns: { ipsec: true }, options: { ipsec_encapsulation: true } },
      planContext(h),
    );
    expect(h.queries[0]).toContain('--columns=ipsec,options list NB_Global');
    const step = plan.steps[0];
    expect(step?.kind === 'exec' && step.command).toMatch(
      /^ovn-nbctl --db=unix:\/var\/run\/ovn\/ovnnb_db.sock --timeout=30 --no-leader-only -- set NB_Global \. ipsec=true 'options:"ipsec_encapsulation"="true"'$/,
    );
    expect(step?.why).toBe(
      'update NB_Global: ipsec false -> true; options:ipsec_encapsulation (unset) -> true',
    );
  });

  it('is idempotent and removes options set to null', async () => {
    const h = host([
      [
        true,
        [
          'map',
          [
            ['ipsec_encapsulation', 'true'],
            ['ipsec_forceencaps', 'true'],
          ],
        ],
      ],
    ]);
    const same = await ovnGlobalModule.plan(
      { db: 'nb', columns: { ipsec: true }, options: { ipsec_encapsulation: 'true' } },
      planContext(h),
    );
    expect(same.steps).toEqual([]);
    const removed = await ovnGlobalModule.plan(
      { db: 'nb', options: { ipsec_forceencaps: null } },
      planContext(host([[['map', [['ipsec_forceencaps', 'true']]]]], ['options'])),
    );
    const step = removed.steps[0];
    expect(step?.kind === 'exec' && step.command).toMatch(
      /-- remove NB_Global \. options '"ipsec_forceencaps"'$/,
    );
  });

  it('treats a missing NB_Global row as all different (the ctl creates it)', async () => {
    const plan = await ovnGlobalModule.plan({ db: 'nb', columns: { ipsec: true } }, planContext(host([])));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]?.why).toContain('ipsec null -> true');
  });

  it('refuses options as a column and odd column names', async () => {
    const plan = await ovnGlobalModule.plan({ db: 'nb', columns: { options: 'x' } }, planContext(host([])));
    expect(plan.failed).toMatch(/options go under options/);
    const odd = await ovnGlobalModule.plan({ db: 'sb', columns: { 'a;b': 1 } }, planContext(host([])));
    expect(odd.failed).toMatch(/not a scalar column name/);
  });
});
