/**
 * `cert_facts`: read-only facts about the certificates of one service on one host, for
 * `ovnctl certificates list` and `renew`. Which files belong to which certificate is not decided
 * here: the play hands in the same `pki_install` entries, pem bundles and TLS endpoints the
 * service's role installs and verifies. With `authorities`, it reports the CAs in the PKI store.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { type CertInfo, parseCertificate, parseCertificates } from '../../pki/inspect.js';
import { caPaths, leafPaths, rotationPaths } from '../../pki/layout.js';
import { parseDuration } from '../../pki/ttl.js';
import { type Entry, gatherEntries, optString, resolvePath } from '../pki/common.js';
import { normalizeSerial } from '../service/tls-checks.js';
import { handshake } from '../service/tls-handshake.js';
import { defineModule, type Facts, type Plan } from '../types.js';
import { caFacts } from './ca-facts.js';
import type { CertFact, CertFacts, EndpointFact } from './fact-types.js';
import { type LeafFile, leafFacts, type SignerView } from './leaf-facts.js';

export interface CertFactsParams {
  service: string;
  pki_dir: string;
  /** The CA that signs this service's certificates (to tell current from previous CA). */
  signed_by?: string;
  /** The service's `pki_install` entries: {name, type, dest, src, condition}. */
  installed?: Entry[];
  /** `pem_bundle` files: {dest, sources} (controller sources name the certificate they carry). */
  bundles?: { dest: string; sources: string[] }[];
  /**
   * TLS endpoints: {address, port, cert_file (controller path of what must be served), label,
   * client_cert and client_key (controller paths, for services that insist on a client certificate)}.
   */
  endpoints?: Record<string, unknown>[];
  /** Where to connect for an endpoint bound to every address (0.0.0.0, ::). */
  connect_address?: string;
  /** Report these certificate authorities of the PKI store instead (OSA authority entries). */
  authorities?: Entry[];
  search_pattern?: string;
  ca_key_passphrase?: string;
  renew_before?: string | number;
  timeout_ms?: number | string;
}

const WILDCARDS = new Set(['', '*', '0.0.0.0', '::', '[::]']);

interface Group {
  name: string;
  user: boolean;
  files: LeafFile[];
  /** Controller paths that stand for this certificate (store copy, user source). */
  sources: Set<string>;
  endpoints: Probe[];
}

interface Probe {
  address: string;
  port: number;
  label?: string;
  client?: { cert: string; key: string };
}

function parseOrNull(data: Buffer | null | undefined, what: string): CertInfo | null {
  if (!data) return null;
  try {
    return parseCertificate(data, what);
  } catch {
    return null;
  }
}

async function signerView(controller: Facts, pkiDir: string, name: string): Promise<SignerView> {
  const r = rotationPaths(pkiDir, name);
  const [cert, next, trust] = await Promise.all(
    [caPaths(pkiDir, name).cert, r.nextCert, r.trust].map((f) => controller.read(f)),
  );
  let trusted: CertInfo[] = [];
  try {
    trusted = trust ? parseCertificates(trust, r.trust) : [];
  } catch {
    trusted = [];
  }
  return { name, current: parseOrNull(cert, name), next: parseOrNull(next, name), trust: trusted };
}

function groupsOf(
  p: CertFactsParams,
  entries: readonly Entry[],
  pkiDir: string,
  resolve: (f: string) => string,
): Group[] {
  const groups = new Map<string, Group>();
  for (const e of entries) {
    const dest = optString(e.dest);
    if (!dest) continue;
    const name = optString(e.name) ?? dest;
    let g = groups.get(name);
    if (!g) {
      g = { name, user: false, files: [], sources: new Set([leafPaths(pkiDir, name).cert]), endpoints: [] };
      groups.set(name, g);
    }
    const src = optString(e.src);
    if (src) {
      g.user = true;
      g.sources.add(resolve(src));
    }
    if (!g.files.some((f) => f.path === dest))
      g.files.push({ path: dest, role: String(e.type ?? 'certificate') });
  }
  const all = [...groups.values()];
  for (const b of p.bundles ?? []) {
    const sources = b.sources.map(resolve);
    const g = all.find((x) => sources.some((s) => x.sources.has(s)));
    if (g && !g.files.some((f) => f.path === b.dest)) g.files.push({ path: b.dest, role: 'bundle' });
  }
  for (const e of p.endpoints ?? []) {
    const certFile = optString(e.cert_file);
    const g = certFile
      ? all.find((x) => x.sources.has(resolve(certFile)))
      : all.length === 1
        ? all[0]
        : undefined;
    const port = Number(e.port);
    if (!g || !Number.isInteger(port)) continue;
    const label = optString(e.label);
    const bound = String(e.address ?? '');
    const address = WILDCARDS.has(bound) && p.connect_address ? p.connect_address : bound;
    const clientCert = optString(e.client_cert);
    const clientKey = optString(e.client_key);
    g.endpoints.push({
      address,
      port,
      ...(label ? { label } : {}),
      ...(clientCert && clientKey ? { client: { cert: resolve(clientCert), key: resolve(clientKey) } } : {}),
    });
  }
  return all;
}

async function probe(
  controller: Facts,
  ep: Probe,
  serial: string | undefined,
  timeoutMs: number,
): Promise<EndpointFact> {
  const base = { address: ep.address, port: ep.port, ...(ep.label ? { label: ep.label } : {}) };
  const [clientCert, clientKey] = ep.client
    ? await Promise.all([controller.read(ep.client.cert), controller.read(ep.client.key)])
    : [];
  let error = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 300));
    try {
      const hs = await handshake({
        address: ep.address,
        port: ep.port,
        timeoutMs,
        ...(isIP(ep.address) === 0 ? { serverName: ep.address } : {}),
        ...(clientCert && clientKey ? { clientCert, clientKey } : {}),
      });
      const served = normalizeSerial(hs.chain[0]?.serialNumber ?? '');
      return { ...base, serves: serial !== undefined && served === serial, served_serial: served };
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
  }
  return { ...base, serves: false, error };
}

export const certFactsModule = defineModule<CertFactsParams>({
  name: 'cert_facts',
  schema: 'cert_facts',
  secretArgs: ['ca_key_passphrase'],
  async plan(p, ctx): Promise<Plan> {
    const now = ctx.now();
    const windowMs = parseDuration(p.renew_before ?? '10d', 'cert_facts: renew_before');
    const timeoutMs = Number(p.timeout_ms ?? 3000);
    const pkiDir = resolvePath(p.pki_dir, ctx, 'cert_facts: pki_dir');
    const resolve = (f: string) => path.resolve(ctx.configDir, f);
    let certificates: CertFact[];
    if (p.authorities !== undefined) {
      const entries = gatherEntries(
        p.authorities,
        ctx.vars,
        p.search_pattern ?? 'pki_authorities_',
        'authorities',
      );
      const cas = entries.flatMap((e) => {
        const name = optString(e.name);
        const signedBy = optString(e.signed_by);
        return name ? [{ name, ...(signedBy ? { signedBy } : {}) }] : [];
      });
      certificates = await caFacts(
        ctx.controller,
        pkiDir,
        cas,
        now,
        windowMs,
        optString(p.ca_key_passphrase),
      );
    } else {
      const entries = gatherEntries(p.installed ?? [], ctx.vars, '', 'installed');
      const signer = p.signed_by ? await signerView(ctx.controller, pkiDir, p.signed_by) : undefined;
      certificates = await Promise.all(
        groupsOf(p, entries, pkiDir, resolve).map(async (g) => {
          const store = g.user
            ? null
            : parseOrNull(await ctx.controller.read(leafPaths(pkiDir, g.name).cert), g.name);
          const { fact, leaf } = await leafFacts(
            ctx.target,
            { name: g.name, userProvided: g.user, files: g.files, signer, store },
            now,
            windowMs,
          );
          fact.endpoints = await Promise.all(
            g.endpoints.map((ep) => probe(ctx.controller, ep, leaf?.serial, timeoutMs)),
          );
          for (const ep of fact.endpoints) {
            if (ep.serves) continue;
            fact.problems.push(
              ep.error
                ? `${ep.address}:${ep.port}: ${ep.error}`
                : `${ep.address}:${ep.port} serves serial ${ep.served_serial}, not the installed certificate`,
            );
            fact.status = 'error';
          }
          return fact;
        }),
      );
    }
    const facts: CertFacts = {
      service: p.service,
      host: ctx.host,
      renew_before_days: Math.round(windowMs / 86_400_000),
      certificates,
    };
    const bad = certificates.filter((c) => c.status !== 'ok').length;
    return {
      steps: [],
      result: { cert_facts: facts },
      msg: `${certificates.length} certificate(s) of ${p.service}${bad ? `, ${bad} need attention` : ''}`,
    };
  },
});
