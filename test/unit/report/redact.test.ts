import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { looksSecret, REDACTED, redactPem, SecretRegistry } from '../../../src/report/redact.js';

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const pemBody = pem.split('\n')[1] ?? '';

describe('SecretRegistry', () => {
  it('replaces every occurrence of a registered secret', () => {
    const r = new SecretRegistry();
    r.add('hunter2-pass');
    expect(r.redact('a hunter2-pass b hunter2-pass')).toBe(`a ${REDACTED} b ${REDACTED}`);
  });

  it('ignores values shorter than 4 characters', () => {
    const r = new SecretRegistry();
    r.add('no');
    r.add('abc');
    expect(r.size).toBe(0);
    expect(r.redact('no abc')).toBe('no abc');
  });

  it('redacts each line of a multi-line secret, its JSON-escaped form and its base64', () => {
    const r = new SecretRegistry();
    const secret = 'first line secret\nsecond line secret';
    r.add(secret);
    expect(r.redact('x second line secret y')).toBe(`x ${REDACTED} y`);
    expect(r.redact(JSON.stringify({ v: secret }))).toBe(`{"v":"${REDACTED}"}`);
    expect(r.redact(Buffer.from(secret).toString('base64'))).not.toContain(
      Buffer.from(secret).toString('base64').slice(0, 20),
    );
  });

  it('redacts a registered PEM key line by line but keeps armor lines out of the registry', () => {
    const r = new SecretRegistry();
    r.add(pem);
    expect(r.redact(`seen: ${pemBody}`)).toBe(`seen: ${REDACTED}`);
    expect(r.redact('-----END CERTIFICATE-----')).toBe('-----END CERTIFICATE-----');
  });

  it('redacts strings deep inside objects and arrays, keeping keys and other types', () => {
    const r = new SecretRegistry();
    r.add('rabbit-secret');
    const input = { a: ['x rabbit-secret', 3, true, null], b: { c: 'rabbit-secret' }, d: undefined };
    expect(r.redactDeep(input)).toEqual({
      a: [`x ${REDACTED}`, 3, true, null],
      b: { c: REDACTED },
      d: undefined,
    });
    expect(input.b.c).toBe('rabbit-secret');
  });

  it('survives cyclic values', () => {
    const r = new SecretRegistry();
    r.add('cyclic-secret');
    const node: Record<string, unknown> = { s: 'cyclic-secret' };
    node.self = node;
    const out = r.redactDeep(node) as Record<string, unknown>;
    expect(out.s).toBe(REDACTED);
    expect(out.self).toBe(out);
  });

  it('handles secrets holding regular expression characters', () => {
    const r = new SecretRegistry();
    r.add('a.b*c(d)$');
    expect(r.redact('aXbbc(d)$ a.b*c(d)$')).toBe(`aXbbc(d)$ ${REDACTED}`);
  });

  it('redacts unregistered PEM private keys too', () => {
    expect(new SecretRegistry().redact(`key:\n${pem}done`)).toBe(`key:\n${REDACTED}\ndone`);
  });
});

describe('redactPem', () => {
  it('replaces whole private key blocks of any kind, leaving certificates', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const rsa = '-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----';
    const enc = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIEdef\n-----END ENCRYPTED PRIVATE KEY-----';
    expect(redactPem(`${cert}\n${rsa}\n${enc}\n`)).toBe(`${cert}\n${REDACTED}\n${REDACTED}\n`);
  });

  it('replaces an unterminated block up to the end of the text', () => {
    expect(redactPem('a -----BEGIN PRIVATE KEY-----\nMIIE trunc')).toBe(`a ${REDACTED}`);
  });
});

describe('looksSecret', () => {
  it.each([
    ['rabbitmq_password', true],
    ['keystone_auth_admin_password', true],
    ['ovn_ca_passphrase', true],
    ['horizon_secret_key', true],
    ['ssl_private_key', true],
    ['apiToken', true],
    ['rabbitmq_cookie', true],
    ['vault_password_file', false],
    ['ansible_ssh_private_key_file', false],
    ['keystone_token_provider', false],
    ['haproxy_ssl_key', false],
    ['ovn_ssl_cert', false],
  ])('%s -> %s', (key, expected) => {
    expect(looksSecret(key)).toBe(expected);
  });

  it('treats a *_key variable as secret when its value is a PEM private key', () => {
    expect(looksSecret('haproxy_ssl_key', pem)).toBe(true);
    expect(looksSecret('haproxy_ssl_key', '/etc/haproxy/ssl/key.pem')).toBe(false);
  });
});
