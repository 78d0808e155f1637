/** The bundled PKI playbooks and role call the PKI modules with arguments their schemas know. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { pkiModules } from '../../../src/modules/pki/index.js';
import { parseYaml } from '../../../src/yaml/load.js';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (p: string) => parseYaml(readFileSync(path.join(root, p), 'utf8'), p).value;
const schema = (name: string) =>
  JSON.parse(readFileSync(path.join(root, 'schemas/modules', `${name}.json`), 'utf8'));

describe('PKI role and playbooks', () => {
  it('use only arguments the module schemas define', () => {
    const names = new Set(pkiModules.map((m) => m.name));
    let calls = 0;
    for (const file of ['main_ca.yml', 'main_ca_install.yml', 'main_certs.yml']) {
      for (const task of read(`playbooks/roles/pki/tasks/${file}`) as Record<string, unknown>[]) {
        const key = Object.keys(task).find((k) => k.startsWith('ovnctl.'));
        expect(key, `${file}: ${String(task.name)}`).toBeDefined();
        const mod = (key as string).slice('ovnctl.'.length);
        expect(names.has(mod)).toBe(true);
        const known = Object.keys(schema(mod).properties);
        expect(Object.keys(task[key as string] as object).filter((a) => !known.includes(a))).toEqual([]);
        calls++;
      }
    }
    expect(calls).toBe(4);
  });

  it('schemas accept the values the role renders to, and reject unknown arguments', () => {
    const ajv = new Ajv({ strict: false });
    const auth = ajv.compile(schema('pki_authorities'));
    const rendered = {
      pki_dir: '/etc/openstack_deploy/pki',
      authorities:
        read('playbooks/roles/pki/defaults/main.yml') &&
        (read('playbooks/roles/pki/defaults/main.yml') as Record<string, unknown>).openstack_pki_authorities,
      search_pattern: 'pki_authorities_',
      regen_ca: '',
      regen_flag_name: 'openstack_pki_regen_ca',
      create_ca: true,
      renew_before: '10d',
      default_ttl: '3650d',
      key_type: 'ec',
      key_size: 4096,
      curve: 'P-384',
      digest: '',
      ca_key_passphrase: '',
      cert_mode: '0644',
      key_mode: '0600',
      dir_mode: '0755',
      key_dir_mode: '0700',
    };
    expect(auth(rendered)).toBe(true);
    expect(auth({ ...rendered, regen_ca: true })).toBe(true);
    expect(auth({ ...rendered, regne_ca: 'x' })).toBe(false);
    const install = ajv.compile(schema('pki_install'));
    expect(
      install({
        pki_dir: '/p',
        certificates: [{ name: 'x', type: 'private_key', dest: '/etc/x.key', mode: '0600' }],
      }),
    ).toBe(true);
    expect(install({ pki_dir: '/p', certificates: [{ name: 'x', type: 'key', dest: '/etc/x.key' }] })).toBe(
      false,
    );
    for (const m of pkiModules) expect(() => ajv.compile(schema(m.schema))).not.toThrow();
  });

  it('default to OSA root + intermediate under the config directory, so a fresh clone needs no variables', () => {
    const d = read('playbooks/roles/pki/defaults/main.yml') as Record<string, unknown>;
    expect(d.openstack_pki_dir).toBe('{{ ovnctl_config_dir }}/pki');
    expect((d.openstack_pki_authorities as { name: string }[]).map((a) => a.name)).toEqual([
      'ExampleCorpRoot',
      'ExampleCorpIntermediate',
    ]);
    expect(d.openstack_pki_install_ca).toEqual([{ name: 'ExampleCorpRoot' }]);
    expect(d.pki_renew_before).toBe('10d');
    const ca = read('playbooks/certificate-authority.yml') as Record<string, unknown>[];
    expect(ca[0]?.hosts).toBe("{{ openstack_pki_setup_host | default('localhost') }}");
    const gen = read('playbooks/certificate-generate.yml') as {
      tasks: { vars: Record<string, unknown> }[];
    }[];
    expect(gen[0]?.tasks[0]?.vars.pki_search_certificates_pattern).toBe('user_pki_certificates_');
  });

  it('user_variables.example.yml documents every PKI role default', () => {
    const doc = readFileSync(path.join(root, 'user_variables.example.yml'), 'utf8');
    const defaults = Object.keys(read('playbooks/roles/pki/defaults/main.yml') as object);
    expect(defaults.filter((k) => !doc.includes(`# ${k}:`))).toEqual([]);
  });
});
