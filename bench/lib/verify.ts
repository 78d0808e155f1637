/**
 * What each job must leave on the hosts, checked after every timed run (outside the timing), so
 * both tools are held to the same result: the same files with the same modes and owners, keys
 * that match their certificates, of the requested type; a re-run changes nothing; the haproxy
 * regeneration changes the haproxy files and nothing else.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_BINDS, type Rig, type RigHost } from '../../test/rig/rig.js';
import type { KeyType } from './workspace.js';

export interface FileState {
  mode: string;
  owner: string;
  sha256: string;
}

/** Host path -> state, per host name. */
export type Snapshot = Map<string, Map<string, FileState>>;

/** The files of one host after the full job: path -> "mode owner". */
export function expectedFiles(host: RigHost, rabbitmqOwner: string): Map<string, string> {
  const ha = `/etc/haproxy/ssl/haproxy_${host.name}-${host.address}`;
  const rmq = `0644 ${rabbitmqOwner}`;
  return new Map([
    [`${ha}.crt`, '0644 root:root'],
    [`${ha}.key`, '0600 root:root'],
    [`${ha}-ca.crt`, '0644 root:root'],
    [`${ha}.pem`, '0600 root:root'],
    ['/etc/haproxy/conf.d/ovnctl-tls.cfg', '0644 root:root'],
    ['/etc/rabbitmq/rabbitmq.pem', rmq],
    ['/etc/rabbitmq/rabbitmq.key', `0600 ${rabbitmqOwner}`],
    ['/etc/rabbitmq/rabbitmq-ca.pem', rmq],
    ['/etc/rabbitmq/conf.d/90-ovnctl-tls.conf', '0644 root:root'],
    ['/etc/openvswitch/neutron_ovn.pem', '0644 root:root'],
    ['/etc/openvswitch/neutron_ovn.key', '0600 root:root'],
    ['/etc/openvswitch/neutron_ovn-ca.pem', '0644 root:root'],
  ]);
}

async function walk(dir: string, rel: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, `${rel}/${e.name}`, out);
    else out.push(`${rel}/${e.name}`);
  }
}

export async function snapshot(
  rig: Rig,
  names: (id: number, kind: 'user' | 'group') => string,
): Promise<Snapshot> {
  const snap: Snapshot = new Map();
  await Promise.all(
    rig.hosts.map(async (h) => {
      const files: string[] = [];
      for (const b of DEFAULT_BINDS) await walk(join(h.root, b), b, files);
      const states = new Map<string, FileState>();
      for (const f of files.sort()) {
        const real = join(h.root, f);
        const [st, data] = await Promise.all([stat(real), readFile(real)]);
        states.set(f, {
          mode: (st.mode & 0o7777).toString(8).padStart(4, '0'),
          owner: `${names(st.uid, 'user')}:${names(st.gid, 'group')}`,
          sha256: createHash('sha256').update(data).digest('hex'),
        });
      }
      snap.set(h.name, states);
    }),
  );
  return snap;
}

function keyMatches(kt: KeyType, pem: Buffer): boolean {
  const key = createPrivateKey(pem);
  if (kt === 'ec')
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1';
  return key.asymmetricKeyType === 'rsa' && key.asymmetricKeyDetails?.modulusLength === 2048;
}

/** Problems with the state after a full job (empty: as expected). */
export async function checkFull(
  rig: Rig,
  snap: Snapshot,
  kt: KeyType,
  rabbitmqOwner: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const h of rig.hosts) {
    const have = snap.get(h.name) ?? new Map<string, FileState>();
    const want = expectedFiles(h, rabbitmqOwner);
    for (const [p, attrs] of want) {
      const s = have.get(p);
      if (!s) problems.push(`${h.name}: ${p} is missing`);
      else if (`${s.mode} ${s.owner}` !== attrs)
        problems.push(`${h.name}: ${p} is ${s.mode} ${s.owner}, want ${attrs}`);
    }
    for (const p of have.keys()) if (!want.has(p)) problems.push(`${h.name}: unexpected file ${p}`);
    const read = (p: string) => readFile(join(h.root, p));
    const ha = `/etc/haproxy/ssl/haproxy_${h.name}-${h.address}`;
    const pairs: [string, string, string][] = [
      [`${ha}.crt`, `${ha}.key`, `${ha}-ca.crt`],
      ['/etc/rabbitmq/rabbitmq.pem', '/etc/rabbitmq/rabbitmq.key', '/etc/rabbitmq/rabbitmq-ca.pem'],
      [
        '/etc/openvswitch/neutron_ovn.pem',
        '/etc/openvswitch/neutron_ovn.key',
        '/etc/openvswitch/neutron_ovn-ca.pem',
      ],
    ];
    for (const [certFile, keyFile, caFile] of pairs) {
      try {
        const [cert, key, ca] = await Promise.all([read(certFile), read(keyFile), read(caFile)]);
        const x = new X509Certificate(cert);
        if (!x.checkPrivateKey(createPrivateKey(key)))
          problems.push(`${h.name}: ${keyFile} does not match ${certFile}`);
        if (!keyMatches(kt, key)) problems.push(`${h.name}: ${keyFile} is not ${kt}`);
        const issuer = new X509Certificate(ca);
        if (!x.verify(issuer.publicKey))
          problems.push(`${h.name}: ${certFile} is not signed by the first CA in ${caFile}`);
        if (!x.checkIP(h.address)) problems.push(`${h.name}: ${certFile} has no SAN for ${h.address}`);
      } catch (e) {
        problems.push(`${h.name}: ${certFile}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return problems;
}

/** Files whose content, mode or owner differ between two snapshots, as "host:path". */
export function changedFiles(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [host, files] of after) {
    const old = before.get(host) ?? new Map<string, FileState>();
    for (const [p, s] of files) {
      const o = old.get(p);
      if (!o || o.sha256 !== s.sha256 || o.mode !== s.mode || o.owner !== s.owner) out.push(`${host}:${p}`);
    }
    for (const p of old.keys()) if (!files.has(p)) out.push(`${host}:${p} (removed)`);
  }
  return out;
}

/** Problems after the haproxy regeneration: exactly each host's haproxy files changed. */
export function checkRegen(rig: Rig, before: Snapshot, after: Snapshot): string[] {
  const changed = new Set(changedFiles(before, after));
  const problems: string[] = [];
  for (const h of rig.hosts) {
    const ha = `/etc/haproxy/ssl/haproxy_${h.name}-${h.address}`;
    for (const p of [`${ha}.crt`, `${ha}.key`, `${ha}.pem`]) {
      if (!changed.delete(`${h.name}:${p}`)) problems.push(`${h.name}: ${p} did not change`);
    }
  }
  for (const c of changed) problems.push(`${c} changed`);
  return problems;
}

/** uid/gid -> name from this machine's /etc/passwd and /etc/group (the rig hosts share them). */
export async function idNames(): Promise<(id: number, kind: 'user' | 'group') => string> {
  const table = async (file: string): Promise<Map<number, string>> => {
    const text = await readFile(file, 'utf8').catch(() => '');
    const m = new Map<number, string>();
    for (const line of text.split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined) m.set(Number(id), name);
    }
    return m;
  };
  const [users, groups] = await Promise.all([table('/etc/passwd'), table('/etc/group')]);
  return (id, kind) => (kind === 'user' ? users : groups).get(id) ?? String(id);
}
