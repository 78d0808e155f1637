/** Handshakes judged against a given set of trusted CAs (Node's verifier: full chain to a root). */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { Endpoint } from './setup.js';

export interface Verdict {
  ok: boolean;
  serial?: string;
  error?: string;
}

/** A client certificate for services that insist on one (OVN's databases). */
export interface ClientCert {
  cert: Buffer;
  key: Buffer;
}

export function verify(
  ep: Endpoint,
  ca: readonly Buffer[],
  timeoutMs = 3000,
  client?: ClientCert,
): Promise<Verdict> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: ep.address,
      port: ep.port,
      ca: [...ca],
      rejectUnauthorized: false,
      ...(client ? { cert: client.cert, key: client.key } : {}),
    });
    const done = (v: Verdict) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(
      () => done({ ok: false, error: `no handshake within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      const serial = socket
        .getPeerX509Certificate()
        ?.serialNumber.toLowerCase()
        .replace(/^0+(?=.)/, '');
      const verdict: Verdict = {
        ok: socket.authorized,
        ...(serial ? { serial } : {}),
        ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}),
      };
      if (!client || socket.getProtocol() !== 'TLSv1.3') {
        done(verdict);
        return;
      }
      // TLS 1.3: the server judges the client certificate after our side is done. A session
      // ticket means it accepted; a refusal arrives as an alert (the 'error' handler below).
      socket.once('session', () => done(verdict));
      setTimeout(() => done(verdict), 1000).unref();
      socket.resume();
    });
    socket.once('error', (e) => done({ ok: false, error: e.message }));
  });
}

export function serialOf(pem: Buffer | string): string {
  return new X509Certificate(pem).serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
}

/** Every PEM certificate of a file as its own buffer. */
export function splitCerts(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g)].map((m) =>
    Buffer.from(m[0]),
  );
}

const STAGE1 = ['prepare', 'trust', 'promote'];

/** Polled attempts made wholly before leaves were reissued (the old CA alone must still work). */
export function stage1<A extends { before: string; after: string }>(attempts: readonly A[]): A[] {
  return attempts.filter((a) => STAGE1.includes(a.before) && STAGE1.includes(a.after));
}
