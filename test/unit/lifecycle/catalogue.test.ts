/** The service catalogue and the bundled lifecycle playbooks agree with the services' own roles. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { preflight } from '../../../src/cli/preflight.js';
import { LIST_PLAYBOOK, ROTATION_PLAYBOOK, SERVICES } from '../../../src/lifecycle/services.js';
import { defaultRegistry } from '../../../src/modules/index.js';
import { PlaybookLoader } from '../../../src/playbook/load.js';

const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));
const yaml = (f: string) => load(readFileSync(`${PLAYBOOKS}${f}`, 'utf8')) as Record<string, unknown>[];
type Play = { hosts: string; roles?: { role: string; tags?: string[] }[]; tasks?: Record<string, unknown>[] };

describe('service catalogue', () => {
  const list = yaml(LIST_PLAYBOOK) as Play[];

  it.each(SERVICES.map((s) => [s.name, s] as const))(
    '%s: install playbook, regen flag and a list play reading its role',
    (_n, s) => {
      expect(existsSync(`${PLAYBOOKS}${s.playbook}`)).toBe(true);
      const defaults = load(readFileSync(`${PLAYBOOKS}roles/${s.role}/defaults/main.yml`, 'utf8')) as Record<
        string,
        unknown
      >;
      expect(Object.keys(defaults)).toContain(s.regenFlag);
      const install = yaml(s.playbook) as Play[];
      if (s.ownCa) {
        // The service's own CA step (in its roles) honours the catalogue's flag and window.
        const caTasks = readFileSync(`${PLAYBOOKS}roles/ovn_pki/tasks/main.yml`, 'utf8');
        expect(caTasks).toContain(`create_ca: "{{ ${s.createCaFlag} }}"`);
        expect(caTasks).toContain(`renew_before: "{{ ${s.renewBeforeVar} }}"`);
        expect(Object.keys(defaults)).toEqual(expect.arrayContaining([s.createCaFlag, s.renewBeforeVar]));
      } else {
        // The install playbook's CA play can be switched off with the catalogue's flag.
        expect(JSON.stringify(install[0])).toContain(`${s.createCaFlag} | default(true) | bool`);
      }
      const covers = (p: Play) => s.groups.every((g) => p.hosts.includes(g));
      expect(
        install.some(
          (p) =>
            covers(p) &&
            (p.roles as unknown[] | undefined)?.some(
              (r) => r === s.role || (r as { role?: string }).role === s.role,
            ),
        ),
      ).toBe(true);
      const play = list.find((p) => s.groups.every((g) => p.hosts.includes(g)));
      // The role is there for its defaults only: tagged never, none of its tasks runs.
      expect(play?.roles).toEqual([{ role: s.role, tags: ['never'] }]);
      expect(
        play?.tasks?.some(
          (t) => (t['ovnctl.cert_facts'] as { service?: string } | undefined)?.service === s.name,
        ),
      ).toBe(true);
    },
  );

  it("certificates-list.yml works out haproxy's layout exactly as the haproxy_server role does", () => {
    const role = load(readFileSync(`${PLAYBOOKS}roles/haproxy_server/tasks/main.yml`, 'utf8')) as Record<
      string,
      unknown
    >[];
    const mine = (list.find((p) => p.hosts === 'haproxy_all')?.tasks ?? [])[0];
    expect(mine?.['ovnctl.haproxy_tls_layout']).toEqual(role[0]?.['ovnctl.haproxy_tls_layout']);
  });

  it('the lifecycle playbooks load and pass preflight with the registered modules', () => {
    const registry = defaultRegistry();
    const loader = new PlaybookLoader({
      resolveModule: (n) => registry.resolve(n),
      rolesPath: [`${PLAYBOOKS}roles`],
    });
    for (const f of [LIST_PLAYBOOK, ROTATION_PLAYBOOK]) {
      const pb = loader.load(`${PLAYBOOKS}${f}`);
      expect(() => preflight(pb, registry)).not.toThrow();
      expect(pb.plays.length).toBeGreaterThan(0);
    }
    expect(registry.names()).toEqual(expect.arrayContaining(['cert_facts', 'ca_rotation']));
  });
});
