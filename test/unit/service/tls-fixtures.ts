/** Certificates and a local node:tls server for the tls_verify tests, issued with src/pki. */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { SanEntry } from '../../../src/pki/extensions.js';
import type { CertInfo } from '../../../src/pki/inspect.js';
import { issueCertificate } from '../../../src/pki/issue.js';
import { exportPrivateKey, generateKey } from '../../../src/pki/keys.js';
import { OID } from '../../../src/pki/names.js';

export interface Issued {
  cert: CertInfo;
  key: KeyObject;
  keyPem: string;
}

const DAY = 86_400_000;

async function issue(
  cn: string,
  signer: Issued | undefined,
  opts: { ca?: boolean; san?: SanEntry[]; notBefore?: Date; notAfter?: Date; clientAuth?: boolean } = {},
): Promise<Issued> {
  const pair = await generateKey({ type: 'ec', curve: 'P-256' });
  const now = Date.now();
  const cert = await issueCertificate({
    subject: [{ oid: OID.CN, value: cn }],
    publicKey: pair.publicKey,
    ...(signer
      ? { signer: { subjectDer: signer.cert.subjectDer, privateKey: signer.key } }
      : { selfKey: pair.privateKey }),
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 30 * DAY),
    extensions: opts.ca
      ? { basicConstraints: { ca: true }, keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'] }
      : {
          basicConstraints: { ca: false },
          keyUsage: ['digitalSignature', 'keyEncipherment'],
          extendedKeyUsage: [opts.clientAuth ? '1.3.6.1.5.5.7.3.2' : '1.3.6.1.5.5.7.3.1'],
          ...(opts.san ? { san: opts.san } : {}),
        },
  });
  return { cert, key: pair.privateKey, keyPem: exportPrivateKey(pair.privateKey).toString('utf8') };
}

export interface Pki {
  dir: string;
  root: Issued;
  intermediate: Issued;
  leaf: Issued;
  /** Same names as leaf, another serial. */
  leaf2: Issued;
  expired: Issued;
  wildcard: Issued;
  otherRoot: Issued;
  client: Issued;
  /** Files: root.crt, intermediate.crt, other-root.crt, leaf.crt, leaf2.crt, client.crt, client.key */
  file(name: string): string;
  cleanup(): Promise<void>;
}

export async function makePki(): Promise<Pki> {
  const root = await issue('Test Root', undefined, { ca: true });
  const intermediate = await issue('Test Intermediate', root, { ca: true });
  const san: SanEntry[] = [
    { type: 'dns', value: 'svc1' },
    { type: 'dns', value: 'svc1.example.test' },
    { type: 'ip', value: '127.0.0.1' },
  ];
  const leaf = await issue('svc1', intermediate, { san });
  const leaf2 = await issue('svc1', intermediate, { san });
  const expired = await issue('svc1', intermediate, {
    san,
    notBefore: new Date(Date.now() - 10 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  const wildcard = await issue('wild', intermediate, {
    san: [{ type: 'dns', value: '*.apps.example.test' }],
  });
  const otherRoot = await issue('Other Root', undefined, { ca: true });
  const client = await issue('client1', intermediate, { clientAuth: true });
  const dir = await mkdtemp(join(tmpdir(), 'ovnctl-tlsverify-'));
  const files: Record<string, string> = {
    'root.crt': root.cert.pem,
    'intermediate.crt': intermediate.cert.pem,
    'other-root.crt': otherRoot.cert.pem,
    'leaf.crt': leaf.cert.pem,
    'leaf2.crt': leaf2.cert.pem,
    'client.crt': client.cert.pem + intermediate.cert.pem,
    'client.key': client.keyPem,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, { mode: 0o600 });
  return {
    dir,
    root,
    intermediate,
    leaf,
    leaf2,
    expired,
    wildcard,
    otherRoot,
    client,
    file: (name) => join(dir, name),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface TestServer {
  port: number;
  /** Serve another certificate from now on (as a reload would). */
  swap(leaf: Issued, chain: readonly Issued[]): void;
  close(): Promise<void>;
}

/** A TLS server on 127.0.0.1 (ephemeral port) serving `leaf` with `chain` after it. */
export function serve(
  leaf: Issued,
  chain: readonly Issued[],
  opts: { requireClientCa?: Issued; maxVersion?: tls.SecureVersion } = {},
): Promise<TestServer> {
  const server = tls.createServer(
    {
      key: leaf.keyPem,
      cert: [leaf.cert.pem, ...chain.map((c) => c.cert.pem)].join(''),
      ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
      ...(opts.requireClientCa
        ? { requestCert: true, rejectUnauthorized: true, ca: [opts.requireClientCa.cert.pem] }
        : {}),
    },
    (socket) => {
      socket.on('error', () => {});
      socket.resume();
    },
  );
  server.on('tlsClientError', () => {});
  const open = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        swap: (next, nextChain) =>
          server.setSecureContext({
            key: next.keyPem,
            cert: [next.cert.pem, ...nextChain.map((c) => c.cert.pem)].join(''),
          }),
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            // Open test connections would keep close() waiting.
            for (const s of open) s.destroy();
          }),
      });
    });
  });
}
