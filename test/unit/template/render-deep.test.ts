import { describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import { OMIT, renderDeep, renderString } from '../../../src/template/index.js';
import { UnsafeText, VaultedValue } from '../../../src/yaml/tags.js';

const vars = { name: 'haproxy', port: 443, enabled: true, dirs: ['/etc/a', '/etc/b'] };

describe('renderDeep', () => {
  it('renders strings in nested arrays and objects, keys included', () => {
    const args = {
      dest: '/etc/{{ name }}/cert.pem',
      mode: '0640',
      '{{ name }}_port': '{{ port }}',
      list: ['{{ enabled }}', { inner: '{{ dirs }}' }, 7, null],
    };
    expect(renderDeep(args, vars)).toEqual({
      dest: '/etc/haproxy/cert.pem',
      mode: '0640',
      haproxy_port: 443,
      list: [true, { inner: ['/etc/a', '/etc/b'] }, 7, null],
    });
  });

  it('does not modify its input', () => {
    const args = { a: ['{{ name }}'] };
    renderDeep(args, vars);
    expect(args).toEqual({ a: ['{{ name }}'] });
  });

  it('leaves !unsafe text unrendered, as plain text', () => {
    const out = renderDeep(
      { content: new UnsafeText('{{ not_a_var }}'), list: [new UnsafeText('{% raw %}')] },
      vars,
    );
    expect(out).toEqual({ content: '{{ not_a_var }}', list: ['{% raw %}'] });
  });

  it('keeps omitted values as OMIT for the engine to drop', () => {
    expect(renderDeep({ owner: '{{ owner | default(omit) }}', group: 'root' }, vars)).toEqual({
      owner: OMIT,
      group: 'root',
    });
  });

  it('leaves other values alone', () => {
    const vault = new VaultedValue('$ANSIBLE_VAULT;1.1;AES256\n00');
    const date = new Date(0);
    const out = renderDeep({ v: vault, d: date, n: 1.5, b: false }, vars) as Record<string, unknown>;
    expect(out.v).toBe(vault);
    expect(out.d).toBe(date);
    expect(out.n).toBe(1.5);
    expect(out.b).toBe(false);
  });
});

describe('vaulted values', () => {
  const secret = new VaultedValue('$ANSIBLE_VAULT;1.1;AES256\n6162');

  it('are decrypted through decryptVault when looked up', () => {
    const calls: VaultedValue[] = [];
    const decryptVault = (v: VaultedValue) => {
      calls.push(v);
      return 's3cret{{ not rendered }}';
    };
    const out = renderString('pass={{ ca_pass }}', { ca_pass: secret }, { decryptVault });
    expect(out).toBe('pass=s3cret{{ not rendered }}');
    expect(calls).toEqual([secret]);
  });

  it('are decrypted inside lists and dicts', () => {
    const out = renderString(
      "{{ creds.users | join(',') }}",
      { creds: { users: [secret, 'plain'] } },
      { decryptVault: () => 'x' },
    );
    expect(out).toBe('x,plain');
  });

  it('fail with a clear error when no vault secret was given, without leaking anything', () => {
    let err: unknown;
    try {
      renderString(
        '{{ ca_pass }}',
        { ca_pass: secret },
        { location: { file: 'group_vars/all.yml', line: 3 } },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OvnctlError);
    expect((err as OvnctlError).message).toContain("'ca_pass' is vault-encrypted");
    expect((err as OvnctlError).message).not.toContain('ANSIBLE_VAULT');
    expect((err as OvnctlError).location?.file).toBe('group_vars/all.yml');
  });
});
