import { describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import { evaluate, renderDeep, renderString } from '../../../src/template/index.js';

const location = { file: 'playbooks/pki.yml', line: 42, key: 'tasks[3].copy.dest' };

function failure(fn: () => unknown): OvnctlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OvnctlError) return e;
    throw e;
  }
  throw new Error('expected an OvnctlError');
}

describe('template errors', () => {
  it('names the undefined variable and carries the caller location', () => {
    const e = failure(() => renderString('/etc/{{ service_name }}/cert.pem', {}, { location }));
    expect(e.code).toBe('undefined-variable');
    expect(e.message).toBe("'service_name' is undefined");
    expect(e.location).toEqual(location);
  });

  it('names the full attribute path below an undefined variable', () => {
    const e = failure(() => renderString('{{ foo.bar.baz }}', {}, { location }));
    expect(e.code).toBe('undefined-variable');
    expect(e.message).toBe("'foo.bar.baz' is undefined");
  });

  it('names the missing key of a defined dict', () => {
    const vars = { hostvars: { infra1: { ansible_host: '10.0.0.11' } } };
    const e = failure(() => renderString("{{ hostvars['infra9'].ansible_host }}", vars, { location }));
    expect(e.message).toBe("'hostvars['infra9'].ansible_host' is undefined");
    expect(e.location?.file).toBe('playbooks/pki.yml');
    expect(e.location?.line).toBe(42);
  });

  it('says which template line failed in a multi-line template', () => {
    const tpl =
      'global\n  maxconn 100\n{% for h in hosts %}\nserver {{ h }} {{ hostvars[h].nope }}\n{% endfor %}\n';
    const e = failure(() => renderString(tpl, { hosts: ['a'], hostvars: { a: {} } }, { location }));
    expect(e.code).toBe('undefined-variable');
    expect(e.message).toContain("'hostvars['a'].nope' is undefined");
    expect(e.message).toContain('template line 4');
    expect(e.location).toEqual(location);
  });

  it('reports syntax errors as template errors with the location', () => {
    const e = failure(() => renderString('{{ 1 + }}', {}, { location }));
    expect(e.code).toBe('template');
    expect(e.message).toMatch(/syntax error/);
    expect(e.location).toEqual(location);
  });

  it('reports unknown filters and Python type errors as template errors', () => {
    expect(failure(() => renderString('{{ 1 | frobnicate }}', {})).message).toContain(
      "no filter named 'frobnicate'",
    );
    expect(failure(() => renderString("{{ 'a' + 1 }}", {})).message).toBe(
      "unsupported operand type(s) for +: 'str' and 'int'",
    );
  });

  it('fails evaluate() on an undefined name, with location', () => {
    const e = failure(() => evaluate('cert_changed and restart', { restart: true }, { location }));
    expect(e.code).toBe('undefined-variable');
    expect(e.message).toBe("'cert_changed' is undefined");
    expect(e.location).toEqual(location);
  });

  it('puts the location on errors from renderDeep', () => {
    const e = failure(() => renderDeep({ dest: ['{{ missing_dir }}/x'] }, {}, { location }));
    expect(e.message).toBe("'missing_dir' is undefined");
    expect(e.location).toEqual(location);
  });

  it('keeps the message of mandatory()', () => {
    const e = failure(() =>
      renderString("{{ ca_passphrase | mandatory('set ca_passphrase in user_secrets.yml') }}", {}),
    );
    expect(e.code).toBe('undefined-variable');
    expect(e.message).toBe('set ca_passphrase in user_secrets.yml');
  });
});
