/**
 * `tls_verify`: a TLS handshake from the controller that proves a service serves what was issued:
 * the chain verifies against the CA, the SANs cover the expected names, the serial is the one
 * just issued. Read-only: it never returns steps, so it reports ok or failed, never changed.
 */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import path from 'node:path';
import { OvnctlError } from '../../errors.js';
import { parseCertificate, parseCertificates } from '../../pki/inspect.js';
import { fail, planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan, type PlanContext } from '../types.js';
import { chainProblem, normalizeSerial, sanText, subjectText, uncoveredNames } from './tls-checks.js';
import { type Handshake, HandshakeError, handshake } from './tls-handshake.js';

export interface TlsVerifyParams {
  address: string;
  port: number | string;
  server_name?: string;
  ca_file?: string;
  ca_pem?: string;
  expect_names?: string[] | string;
  expect_serial?: string | number;
  expect_cert_file?: string;
  client_cert?: string;
  client_key?: string;
  timeout_ms?: number | string;
  /** Extra attempts after a failed one (a reload may still be under way). */
  retries?: number | string;
  delay_ms?: number | string;
}

interface Expectations {
  anchors: X509Certificate[];
  caLabel: string;
  names: string[];
  serial: string | undefined;
  serialSource: string;
}

function intParam(v: number | string | undefined, fallback: number, what: string, min: number): number {
  if (v === undefined || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < min) {
    throw new OvnctlError(
      'invalid-input',
      `tls_verify: ${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

async function controllerFile(
  ctx: PlanContext,
  file: string,
  what: string,
): Promise<{ path: string; data: Buffer }> {
  const p = path.resolve(ctx.configDir, file);
  const data = await ctx.controller.read(p);
  if (data === null) fail(`tls_verify: ${what} ${p} does not exist on the controller`);
  return { path: p, data };
}

async function expectations(p: TlsVerifyParams, ctx: PlanContext): Promise<Expectations> {
  if ((p.ca_file === undefined) === (p.ca_pem === undefined)) {
    throw new OvnctlError('invalid-input', 'tls_verify: give exactly one of ca_file or ca_pem');
  }
  if (p.expect_serial !== undefined && p.expect_cert_file !== undefined) {
    throw new OvnctlError('invalid-input', 'tls_verify: give expect_serial or expect_cert_file, not both');
  }
  const ca = p.ca_file !== undefined ? await controllerFile(ctx, p.ca_file, 'ca_file') : undefined;
  const caLabel = ca ? ca.path : 'ca_pem';
  const anchors = parseCertificates(ca ? ca.data : String(p.ca_pem), caLabel).map((c) => c.x509);
  if (anchors.length === 0) fail(`tls_verify: ${caLabel} holds no PEM certificate`);
  const names = (typeof p.expect_names === 'string' ? p.expect_names.split(',') : (p.expect_names ?? []))
    .map((n) => String(n).trim())
    .filter((n) => n !== '');
  let serial: string | undefined;
  let serialSource = 'expect_serial';
  if (p.expect_serial !== undefined && String(p.expect_serial).trim() !== '') {
    serial = normalizeSerial(p.expect_serial);
  } else if (p.expect_cert_file !== undefined) {
    const file = await controllerFile(ctx, p.expect_cert_file, 'expect_cert_file');
    serial = parseCertificate(file.data, file.path).serial;
    serialSource = file.path;
  }
  return { anchors, caLabel, names, serial, serialSource };
}

function problemsOf(hs: Handshake, exp: Expectations, now: Date): string[] {
  const leaf = hs.chain[0] as X509Certificate;
  const problems: string[] = [];
  const chain = chainProblem(hs.chain, exp.anchors, now);
  if (chain) problems.push(`chain does not verify against ${exp.caLabel}: ${chain}`);
  const missing = uncoveredNames(leaf, exp.names);
  if (missing.length > 0) problems.push(`SAN missing ${missing.join(', ')} (served: ${sanText(leaf)})`);
  const served = normalizeSerial(leaf.serialNumber);
  if (exp.serial !== undefined && served !== exp.serial) {
    problems.push(`serial ${served} served, ${exp.serial} expected (${exp.serialSource})`);
  }
  return problems;
}

function describe(hs: Handshake, address: string, port: number, attempts: number): Record<string, unknown> {
  const leaf = hs.chain[0] as X509Certificate;
  return {
    address,
    port,
    attempts,
    protocol: hs.protocol,
    cipher: hs.cipher,
    subject: subjectText(leaf),
    issuer: leaf.issuer.split('\n').join(', '),
    serial: normalizeSerial(leaf.serialNumber),
    san: sanText(leaf),
    not_after: new Date(leaf.validTo).toISOString(),
    fingerprint_sha256: leaf.fingerprint256,
    chain: hs.chain.map(subjectText),
  };
}

const withAttempts = (message: string, retries: number): string =>
  retries > 0 ? `${message} (after ${retries + 1} attempts)` : message;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const tlsVerifyModule = defineModule<TlsVerifyParams>({
  name: 'tls_verify',
  schema: 'tls_verify',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const port = intParam(p.port, 0, 'port', 1);
      if (port > 65535) throw new OvnctlError('invalid-input', `tls_verify: port ${port} is out of range`);
      const timeoutMs = intParam(p.timeout_ms, 5000, 'timeout_ms', 1);
      const retries = intParam(p.retries, 0, 'retries', 0);
      const delayMs = intParam(p.delay_ms, 1000, 'delay_ms', 0);
      const where = `${p.address}:${port}`;
      if (ctx.check) return { steps: [], skipped: `check mode: no TLS handshake with ${where}` };
      const exp = await expectations(p, ctx);
      if ((p.client_cert === undefined) !== (p.client_key === undefined)) {
        throw new OvnctlError('invalid-input', 'tls_verify: client_cert and client_key go together');
      }
      const clientCert = p.client_cert
        ? (await controllerFile(ctx, p.client_cert, 'client_cert')).data
        : undefined;
      const clientKey = p.client_key
        ? (await controllerFile(ctx, p.client_key, 'client_key')).data
        : undefined;
      if (clientKey) ctx.secret(clientKey.toString('utf8'));
      const serverName = p.server_name ?? (isIP(p.address) === 0 ? p.address : undefined);

      let last = '';
      for (let attempt = 1; attempt <= retries + 1; attempt++) {
        if (attempt > 1) await sleep(delayMs);
        try {
          const hs = await handshake({
            address: p.address,
            port,
            timeoutMs,
            ...(serverName ? { serverName } : {}),
            ...(clientCert ? { clientCert } : {}),
            ...(clientKey ? { clientKey } : {}),
          });
          const problems = problemsOf(hs, exp, ctx.now());
          const result = describe(hs, p.address, port, attempt);
          if (problems.length === 0) {
            return { steps: [], result, msg: `${where} serves ${result.subject} serial ${result.serial}` };
          }
          last = `${where}: ${problems.join('; ')}`;
          if (attempt === retries + 1) return { steps: [], result, failed: withAttempts(last, retries) };
        } catch (e) {
          if (!(e instanceof HandshakeError)) throw e;
          last = e.message;
        }
      }
      fail(withAttempts(last, retries));
    }),
});
