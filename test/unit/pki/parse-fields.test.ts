import { describe, expect, it } from 'vitest';
import {
  parseBasicConstraints,
  parseExtendedKeyUsage,
  parseKeyUsage,
  parseSan,
  sanDifference,
} from '../../../src/pki/extensions.js';
import { DEFAULT_KEYS, keySpecFor } from '../../../src/pki/keys.js';
import { legacySubject, OID, sameSubject, subjectFromFields } from '../../../src/pki/names.js';
import { expiryFrom, parseDuration } from '../../../src/pki/ttl.js';

describe('SAN fields', () => {
  it('reads the dict form, dropping duplicates and normalising case and IPv6', () => {
    const san = parseSan(
      { dns: ['Infra1', 'infra1', 'infra1.example.'], ip: ['10.0.0.1', 'FD00:0:0::1'], uri: [], other: [] },
      'x',
    );
    expect(san).toEqual([
      { type: 'dns', value: 'infra1' },
      { type: 'dns', value: 'infra1.example' },
      { type: 'ip', value: '10.0.0.1' },
      { type: 'ip', value: 'fd00::1' },
    ]);
  });

  it('reads the legacy string and list forms', () => {
    expect(parseSan('DNS:a.example,IP:192.0.2.1, email:ops@example.com', 'x')).toEqual([
      { type: 'dns', value: 'a.example' },
      { type: 'ip', value: '192.0.2.1' },
      { type: 'email', value: 'ops@example.com' },
    ]);
    expect(parseSan(['DNS:b', 'URI:spiffe://x/y'], 'x')).toEqual([
      { type: 'dns', value: 'b' },
      { type: 'uri', value: 'spiffe://x/y' },
    ]);
  });

  it('refuses what it cannot represent instead of dropping it', () => {
    expect(() => parseSan({ other: ['1.2.3;UTF8:x'] }, 'cert a')).toThrow(
      /cert a: SAN type "other" is not supported/,
    );
    expect(() => parseSan('RID:1.2.3', 'cert a')).toThrow(/cannot read SAN "RID:1.2.3"/);
    expect(() => parseSan({ ip: ['10.0.0.300'] }, 'cert a')).toThrow(/not an IP address/);
  });

  it('describes SAN differences both ways', () => {
    const want = parseSan('DNS:a,DNS:b', 'x') ?? [];
    const have = parseSan('DNS:a,IP:10.0.0.1', 'x') ?? [];
    expect(sanDifference(want, have)).toBe('+DNS:b, -IP:10.0.0.1');
    expect(sanDifference(want, want)).toBe('');
  });
});

describe('usages and constraints', () => {
  it('accepts OSA and OpenSSL spellings of key usages', () => {
    expect(parseKeyUsage(['Digital Signature', 'cRLSign', 'keyCertSign'], 'x')).toEqual([
      'digitalSignature',
      'keyCertSign',
      'cRLSign',
    ]);
    expect(parseKeyUsage('keyEncipherment, digitalSignature', 'x')).toEqual([
      'digitalSignature',
      'keyEncipherment',
    ]);
    expect(() => parseKeyUsage(['signEverything'], 'ca x')).toThrow(
      /ca x: unknown key usage "signEverything"/,
    );
  });

  it('maps extended key usages to OIDs', () => {
    expect(parseExtendedKeyUsage(['serverAuth', 'TLS Web Client Authentication'], 'x')).toEqual([
      '1.3.6.1.5.5.7.3.1',
      '1.3.6.1.5.5.7.3.2',
    ]);
    expect(parseExtendedKeyUsage(['1.3.6.1.5.5.7.3.17'], 'x')).toEqual(['1.3.6.1.5.5.7.3.17']);
  });

  it('reads basic constraints as OSA writes them', () => {
    expect(parseBasicConstraints('CA:TRUE,pathlen:0', 'x')).toEqual({ ca: true, pathlen: 0 });
    expect(parseBasicConstraints(['CA:TRUE'], 'x')).toEqual({ ca: true });
    expect(parseBasicConstraints(undefined, 'x')).toBeUndefined();
    expect(() => parseBasicConstraints('CA:FALSE,pathlen:1', 'x')).toThrow(
      /pathlen is only allowed with CA:TRUE/,
    );
  });
});

describe('subjects', () => {
  const fields = {
    cn: 'Example Corp Root CA',
    country_name: 'GB',
    state_or_province_name: 'England',
    organization_name: 'Example Corporation',
    organizational_unit_name: 'IT Security',
    email_address: 'pki@example.com',
  };

  it('puts CN after O and OU (ovs-monitor-ipsec reads the last RDN)', () => {
    const s = subjectFromFields(fields, 'x');
    expect(s.map((a) => a.oid)).toEqual([OID.C, OID.ST, OID.O, OID.OU, OID.CN, OID.emailAddress]);
  });

  it('knows the subject OSA actually produced for a CA and a certificate', () => {
    const full = subjectFromFields(fields, 'x');
    expect(legacySubject(fields, full, 'ca').map((a) => a.oid)).toEqual([OID.C, OID.ST, OID.CN]);
    expect(legacySubject(fields, full, 'leaf').map((a) => a.oid)).toEqual([OID.C, OID.ST, OID.O, OID.CN]);
    expect(sameSubject(full, [...full].reverse())).toBe(true);
    expect(sameSubject(full, legacySubject(fields, full, 'ca'))).toBe(false);
  });

  it('rejects a bad country code and a missing subject', () => {
    expect(() => subjectFromFields({ cn: 'x', country_name: 'England' }, 'ca r')).toThrow(/two-letter/);
    expect(() => subjectFromFields({}, 'ca r')).toThrow(/no subject/);
  });
});

describe('durations and key choices', () => {
  it('reads Ansible relative times', () => {
    expect(parseDuration('3650d', 'x')).toBe(3650 * 86_400_000);
    expect(parseDuration('+1w2d3h', 'x')).toBe((9 * 24 + 3) * 3_600_000);
    expect(parseDuration(90, 'x')).toBe(90_000);
    expect(() => parseDuration('10 days', 'pki_renew_before')).toThrow(
      /pki_renew_before: cannot read duration/,
    );
  });

  it('computes expiry from ttl or an absolute not_after', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(expiryFrom(now, '10d', undefined, '730d', 'x').toISOString()).toBe('2030-01-11T00:00:00.000Z');
    expect(expiryFrom(now, undefined, '20350101000000Z', '730d', 'x').toISOString()).toBe(
      '2035-01-01T00:00:00.000Z',
    );
    expect(expiryFrom(now, undefined, undefined, '1d', 'x').toISOString()).toBe('2030-01-02T00:00:00.000Z');
  });

  it('picks key specs from entries and defaults, and says whether the entry chose', () => {
    expect(keySpecFor({}, DEFAULT_KEYS, 'x')).toEqual({
      spec: { type: 'ec', curve: 'P-384' },
      explicit: false,
    });
    expect(keySpecFor({ key_type: 'rsa' }, DEFAULT_KEYS, 'x')).toEqual({
      spec: { type: 'rsa', size: 4096 },
      explicit: true,
    });
    expect(keySpecFor({ key_type: 'ecdsa', curve: 'prime256v1' }, DEFAULT_KEYS, 'x').spec).toEqual({
      type: 'ec',
      curve: 'P-256',
    });
    expect(() => keySpecFor({ key_type: 'rsa', key_size: 1024 }, DEFAULT_KEYS, 'cert a')).toThrow(
      /cert a: RSA key_size must be 2048 to 4096/,
    );
    expect(() => keySpecFor({ key_type: 'dsa' }, DEFAULT_KEYS, 'x')).toThrow(/unsupported key_type "dsa"/);
  });
});
