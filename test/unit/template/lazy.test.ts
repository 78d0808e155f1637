import { describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import { renderString } from '../../../src/template/index.js';
import { UnsafeText } from '../../../src/yaml/tags.js';

describe('lazy variables', () => {
  it('renders a variable whose value is a template with the same vars', () => {
    const vars = {
      domain: 'example.org',
      fqdn: '{{ inventory_hostname }}.{{ domain }}',
      inventory_hostname: 'infra1',
    };
    expect(renderString('CN={{ fqdn }}', vars)).toBe('CN=infra1.example.org');
  });

  it('renders templates nested inside list and dict vars', () => {
    const vars = {
      port: 5671,
      listeners: [{ name: 'amqps', port: '{{ port }}' }],
    };
    // `{{ port }}` alone keeps port's int type, as Ansible's Templar does for single-variable templates.
    expect(renderString("{{ listeners | map(attribute='port') | list }}", vars)).toEqual([5671]);
    expect(renderString('{{ listeners[0].port + 1 }}', vars)).toBe('5672');
  });

  it('reports a reference cycle as a recursive loop', () => {
    const vars = { a: '{{ b }}', b: 'x{{ c }}', c: '{{ a }}' };
    let err: unknown;
    try {
      renderString('{{ a }}', vars);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OvnctlError);
    expect((err as OvnctlError).code).toBe('template');
    expect((err as OvnctlError).message).toMatch(/^recursive loop detected in template/);
    expect((err as OvnctlError).message).toContain('a -> b -> c -> a');
  });

  it('stops a chain deeper than 50 variables', () => {
    const vars: Record<string, string> = { v60: 'end' };
    for (let i = 0; i < 60; i++) vars[`v${i}`] = `{{ v${i + 1} }}`;
    expect(() => renderString('{{ v0 }}', vars)).toThrow(/recursive loop detected in template/);
    const shallow: Record<string, string> = { v10: 'end' };
    for (let i = 0; i < 10; i++) shallow[`v${i}`] = `{{ v${i + 1} }}`;
    expect(renderString('{{ v0 }}', shallow)).toBe('end');
  });

  it('makes a variable whose template fails undefined, so default() applies', () => {
    const vars = { cert_dir: '{{ pki_base }}/certs' };
    expect(renderString("{{ cert_dir | default('/etc/ssl') }}", vars)).toBe('/etc/ssl');
    expect(() => renderString('{{ cert_dir }}', vars)).toThrow("'pki_base' is undefined");
  });

  it('hands templates copies, so in-place changes never reach the vars', () => {
    const vars = { names: ['a', 'b'], cfg: { x: 1 } };
    const out = renderString(
      "{% set _ = names.append('c') %}{% set _ = cfg.update({'y': 2}) %}{{ names }} {{ cfg }}",
      vars,
    );
    expect(out).toBe("['a', 'b', 'c'] {'x': 1, 'y': 2}");
    expect(vars.names).toEqual(['a', 'b']);
    expect(vars.cfg).toEqual({ x: 1 });
  });

  it('looks up hostvars through a Proxy with `in` and uses its members as the proxy gives them', () => {
    // The engine's hostvars proxy renders another host's values in that host's vars itself.
    const hosts: Record<string, Record<string, unknown>> = {
      infra1: { ansible_host: '10.0.0.11', url: 'https://infra1', note: new UnsafeText('{{ literal }}') },
    };
    const seen: string[] = [];
    const hostvars = new Proxy(
      {},
      {
        has: (_t, key) => typeof key === 'string' && key in hosts,
        get: (_t, key) => {
          if (typeof key === 'string') seen.push(key);
          return typeof key === 'string' ? hosts[key] : undefined;
        },
      },
    );
    const vars = { hostvars, inventory_hostname: 'infra1' };
    expect(renderString('{{ hostvars[inventory_hostname].ansible_host }}', vars)).toBe('10.0.0.11');
    expect(renderString("{{ hostvars['infra1'].url }}", vars)).toBe('https://infra1');
    expect(renderString("{{ hostvars['infra9'] is defined }}", vars)).toBe(false);
    expect(seen).toContain('infra1');
  });

  it('does not render templates held by proxy members again, but unwraps !unsafe text', () => {
    const host = new Proxy({ note: new UnsafeText('{{ literal }}'), raw: '{{ literal }}' }, {});
    expect(renderString('{{ h.note }}|{{ h.raw }}', { h: host })).toBe('{{ literal }}|{{ literal }}');
  });
});
