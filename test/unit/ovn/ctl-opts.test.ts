import { describe, expect, it } from 'vitest';
import { applyOptions, findAssignment, ovnCtlOptsModule } from '../../../src/modules/ovn/ctl-opts.js';
import { FakeHost, planContext } from './fake-host.js';

const PATH = '/etc/default/ovn-central';
const DEBIAN = `# This is a POSIX shell fragment                -*- sh -*-

# OVN_CTL_OPTS: Extra options to pass to ovs-ctl.
# OVN_CTL_OPTS=
`;

function host(content?: string) {
  return new FakeHost('central1', {
    files: content === undefined ? {} : { [PATH]: { content, mode: 0o640 } },
  });
}

const written = (plan: { steps: { kind: string; content?: Buffer }[] }) =>
  plan.steps[0]?.content?.toString('utf8');

describe('ovn_ctl_opts', () => {
  it("adds an assignment to Debian's commented file", async () => {
    const plan = await ovnCtlOptsModule.plan(
      { options: { '--db-sb-cluster-local-proto': 'ssl', '--db-sb-cluster-remote-proto': 'ssl' } },
      planContext(host(DEBIAN)),
    );
    expect(written(plan)).toBe(
      `${DEBIAN}# Options managed by ovnctl are merged into this line.\nOVN_CTL_OPTS="--db-sb-cluster-local-proto=ssl --db-sb-cluster-remote-proto=ssl"\n`,
    );
    expect(plan.steps[0]).toMatchObject({ kind: 'write', path: PATH, mode: 0o640, sensitive: false });
  });

  it("keeps the operator's words and replaces managed ones in place", async () => {
    const text = `OVN_CTL_OPTS="--db-sb-cluster-local-addr=10.0.0.1 --db-sb-cluster-local-proto=tcp \\\n  --ovn-northd-n-threads=4"\nOTHER=1\n`;
    const plan = await ovnCtlOptsModule.plan(
      { options: { '--db-sb-cluster-local-proto': 'ssl' } },
      planContext(host(text)),
    );
    expect(written(plan)).toBe(
      'OVN_CTL_OPTS="--db-sb-cluster-local-addr=10.0.0.1 --db-sb-cluster-local-proto=ssl --ovn-northd-n-threads=4"\nOTHER=1\n',
    );
    expect(plan.result).toMatchObject({
      options: [
        '--db-sb-cluster-local-addr=10.0.0.1',
        '--db-sb-cluster-local-proto=ssl',
        '--ovn-northd-n-threads=4',
      ],
    });
  });

  it('is idempotent, and creates a missing file', async () => {
    const same = await ovnCtlOptsModule.plan(
      { options: { '--a': 'x', '--gone': null } },
      planContext(host("export OVN_CTL_OPTS='--b=1 --a=x'\n")),
    );
    expect(same.steps).toEqual([]);
    const created = await ovnCtlOptsModule.plan({ options: { '--a': true } }, planContext(host()));
    expect(written(created)).toContain('OVN_CTL_OPTS="--a=yes"\n');
    expect(created.steps[0]).toMatchObject({ mode: 0o644, before: null });
  });

  it('refuses values it could not rewrite faithfully', async () => {
    const exp = await ovnCtlOptsModule.plan(
      { options: { '--a': 'x' } },
      planContext(host('OVN_CTL_OPTS="$EXTRA --b"\n')),
    );
    expect(exp.failed).toMatch(/shell expansion/);
    const spaced = await ovnCtlOptsModule.plan({ options: { '--a': 'x y' } }, planContext(host('')));
    expect(spaced.failed).toMatch(/white space/);
    const name = await ovnCtlOptsModule.plan({ options: { a: 'x' } }, planContext(host('')));
    expect(name.failed).toMatch(/not an option name/);
  });

  it('finds the last assignment and removes every copy of a removed option', () => {
    const text = 'OVN_CTL_OPTS=--x=1\n# OVN_CTL_OPTS=--no\nOVN_CTL_OPTS="--y=2"\n';
    expect(findAssignment(text, 'OVN_CTL_OPTS', 'f')?.value).toBe('--y=2');
    expect(applyOptions(['--a=1', '--b', '--a=2', '--c=3'], { '--a': null, '--b': 'on', '--d': 4 })).toEqual([
      '--b=on',
      '--c=3',
      '--d=4',
    ]);
  });
});
