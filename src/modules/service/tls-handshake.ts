/** One TLS handshake from the controller: what the service serves, without trusting it yet. */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls, { type DetailedPeerCertificate } from 'node:tls';

export interface HandshakeRequest {
  address: string;
  port: number;
  /** SNI; Node refuses IP addresses here, so callers pass a DNS name or nothing. */
  serverName?: string;
  /** Client certificate and key (PEM) for services that ask for one. */
  clientCert?: Buffer;
  clientKey?: Buffer;
  timeoutMs: number;
}

export interface Handshake {
  /** The served leaf first, then the rest of what the server sent (ordered by issuer). */
  chain: X509Certificate[];
  protocol: string;
  cipher: string;
}

/** A failed handshake: `message` is user-facing and names address and port. */
export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
}

/** Node's detailed peer certificate is a linked list that ends in a self-reference. */
function chainOf(peer: DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let node: DetailedPeerCertificate | undefined = peer;
  while (node?.raw && !seen.has(node.fingerprint256)) {
    seen.add(node.fingerprint256);
    out.push(new X509Certificate(node.raw));
    node = node.issuerCertificate;
  }
  return out;
}

/** OpenSSL's `<hex>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:` shortened to its reason. */
function errorDetail(e: NodeJS.ErrnoException): string {
  const parts = e.message.split(':');
  const reason = parts[1] === 'error' && parts[3] === 'SSL routines' ? parts[5] : undefined;
  if (reason) return `${reason}${e.code ? ` (${e.code})` : ''}`;
  return e.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
}

/**
 * With TLS 1.3 the client finishes before the server has judged the client certificate: a
 * rejection arrives as an alert afterwards. Wait briefly for it (or for a session ticket, which
 * means the server accepted), so "handshake ok" also means "the server kept the connection".
 */
const TLS13_SETTLE_MS = 300;

export function handshake(req: HandshakeRequest): Promise<Handshake> {
  const where = `${req.address}:${req.port}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    let result: Handshake | undefined;
    const socket = tls.connect({
      host: req.address,
      port: req.port,
      // The chain is checked against the expected CA by the caller, with a precise message.
      rejectUnauthorized: false,
      ...(req.serverName && isIP(req.serverName) === 0 ? { servername: req.serverName } : {}),
      ...(req.clientCert ? { cert: req.clientCert } : {}),
      ...(req.clientKey ? { key: req.clientKey } : {}),
    });
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else if (result) resolve(result);
      else reject(new HandshakeError(`TLS handshake with ${where} did not complete`));
    };
    const timer = setTimeout(() => {
      if (result) finish(undefined);
      else finish(new HandshakeError(`no TLS handshake with ${where} within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      if (!peer?.raw) {
        finish(new HandshakeError(`${where} completed a TLS handshake without a certificate`));
        return;
      }
      result = {
        chain: chainOf(peer),
        protocol: socket.getProtocol() ?? 'unknown',
        cipher: socket.getCipher()?.name ?? 'unknown',
      };
      if (result.protocol !== 'TLSv1.3') {
        finish(undefined);
        return;
      }
      socket.once('session', () => finish(undefined));
      setTimeout(() => finish(undefined), Math.min(TLS13_SETTLE_MS, req.timeoutMs)).unref();
      // Reading lets OpenSSL process a post-handshake alert.
      socket.resume();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const detail = errorDetail(e);
      if (!result) {
        finish(new HandshakeError(`TLS handshake with ${where} failed: ${detail}`));
        return;
      }
      // After the handshake only a TLS alert is a verdict on us; a reset or EOF is the server's business.
      if (e.code?.startsWith('ERR_SSL'))
        finish(new HandshakeError(`${where} rejected the connection after the handshake: ${detail}`));
      else finish(undefined);
    });
    socket.once('close', () => {
      finish(
        result ? undefined : new HandshakeError(`${where} closed the connection during the TLS handshake`),
      );
    });
  });
}
