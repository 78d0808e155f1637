/**
 * Checks from outside, independent of ovnctl's tls_verify: Node's own chain verification against
 * a CA (full chain to a self-signed root, as OpenSSL clients do by default) and
 * `openssl s_client -verify_return_error`.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

export interface Served {
  /** Lower-case hex without leading zeros (as src/pki and tls_verify print it). */
  serial: string;
  subject: string;
  san: string;
  authorized: boolean;
  authorizationError: string | undefined;
  protocol: string;
}

export function serialOfPemFile(file: string): string {
  return new X509Certificate(readFileSync(file)).serialNumber.toLowerCase().replace(/^0+(?=.)/, '');
}

/** One handshake; the chain is judged by Node against `caFile` (the default verification). */
export function probe(address: string, port: number, caFile: string, timeoutMs = 5000): Promise<Served> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: address, port, ca: readFileSync(caFile), rejectUnauthorized: false });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no TLS handshake with ${address}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerX509Certificate();
      const served: Served = {
        serial: (cert?.serialNumber ?? '').toLowerCase().replace(/^0+(?=.)/, ''),
        subject: cert?.subject ?? '',
        san: cert?.subjectAltName ?? '',
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
        protocol: socket.getProtocol() ?? '',
      };
      socket.destroy();
      resolve(served);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** `openssl s_client` with -verify_return_error (and the IP checked with -verify_ip): exit status and output. */
export function opensslVerify(
  address: string,
  port: number,
  caFile: string,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `${address}:${port}`,
        '-CAfile',
        caFile,
        '-verify_return_error',
        '-verify_ip',
        address,
        '-brief',
      ],
      { timeout: 10_000 },
      (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}` }),
    );
    child.stdin?.end('');
  });
}
