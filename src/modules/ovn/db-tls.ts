/**
 * `ovn_db_tls`: the TLS settings (SSL table) and listeners (Connection rows) of a running OVN
 * Northbound or Southbound database, changed through ovn-nbctl/ovn-sbctl only where they differ.
 */
import { fail, planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan } from '../types.js';
import { because, checkFiles, ctlTarget, readTables, toCount } from './common.js';
import { ctlCommand, optional, ovsdbScalar, type Row } from './ovsdb.js';
import { parseTarget } from './targets.js';

export interface ListenerParam {
  target: string;
  /** RBAC role (`ovn-controller`); empty: no role, full access. */
  role?: string;
  read_only?: boolean;
  /** Milliseconds; 0 turns the probe off; omitted: left to OVS (5 s). */
  inactivity_probe?: number | string | null;
}

export interface DbTlsParams {
  db: 'nb' | 'sb';
  /** The ctl's --db (default: the local unix socket). */
  connection?: string;
  timeout?: number | string;
  private_key: string;
  certificate: string;
  ca_cert: string;
  ssl_protocols?: string;
  ssl_ciphers?: string;
  listeners: (string | ListenerParam)[];
  /** ptcp:/tcp: listeners are refused unless this is true. */
  allow_plaintext?: boolean;
}

interface Listener {
  target: string;
  role: string;
  readOnly: boolean;
  probe: number | null;
}

const SSL_COLUMNS = ['private_key', 'certificate', 'ca_cert', 'ssl_protocols', 'ssl_ciphers'] as const;

function wantedListeners(p: DbTlsParams): Listener[] {
  if (p.listeners.length === 0) fail('listeners must name at least one listener (e.g. pssl:6642)');
  const out: Listener[] = [];
  for (const l of p.listeners) {
    const spec = typeof l === 'string' ? { target: l } : l;
    const parsed = parseTarget(spec.target);
    if (typeof parsed === 'string') fail(`listeners: ${parsed}`);
    if (parsed.plaintext && !p.allow_plaintext) {
      fail(
        `listeners: ${spec.target} is plaintext (no encryption, no authentication); use pssl: or set allow_plaintext`,
      );
    }
    if (out.some((o) => o.target === spec.target)) fail(`listeners: ${spec.target} is listed twice`);
    // The Northbound Connection table has neither column: RBAC is a Southbound feature.
    if (p.db === 'nb' && ((spec.role ?? '') !== '' || spec.read_only)) {
      fail(`listeners: ${spec.target}: role and read_only exist on the Southbound database only`);
    }
    out.push({
      target: spec.target,
      role: spec.role ?? '',
      readOnly: spec.read_only ?? false,
      probe:
        spec.inactivity_probe === null || spec.inactivity_probe === undefined
          ? null
          : toCount(spec.inactivity_probe, `${spec.target} inactivity_probe`, 0),
    });
  }
  return out;
}

function currentListeners(rows: Row[]): Listener[] {
  return rows.map((r) => {
    const probe = optional(r.inactivity_probe);
    return {
      target: String(r.target ?? ''),
      role: String(r.role ?? ''),
      readOnly: r.read_only === true,
      probe: typeof probe === 'number' ? probe : null,
    };
  });
}

const identity = (l: Listener) => `${l.target}\u0000${l.role}\u0000${l.readOnly}`;
const describe = (l: Listener) =>
  `${l.target}${l.role ? ` role=${l.role}` : ''}${l.readOnly ? ' read-only' : ''}`;

function sameSet(a: readonly Listener[], b: readonly Listener[]): boolean {
  const ka = a.map(identity).sort();
  const kb = b.map(identity).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

export const ovnDbTlsModule = defineModule<DbTlsParams>({
  name: 'ovn_db_tls',
  schema: 'ovn_db_tls',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const program = p.db === 'nb' ? 'ovn-nbctl' : 'ovn-sbctl';
      const t = ctlTarget(program, p.connection, p.timeout);
      const want = wantedListeners(p);
      const warnings: string[] = [];
      await checkFiles(
        ctx,
        [
          { label: 'private_key', path: p.private_key },
          { label: 'certificate', path: p.certificate },
          { label: 'ca_cert', path: p.ca_cert },
        ],
        warnings,
      );
      const [sslRows = [], connRows = []] = await readTables(
        ctx,
        t,
        [
          [`--columns=${SSL_COLUMNS.join(',')}`, 'list', 'SSL'],
          [
            `--columns=${p.db === 'sb' ? 'target,role,read_only' : 'target'},inactivity_probe`,
            'list',
            'Connection',
          ],
        ],
        `the ${p.db.toUpperCase()} database's SSL and Connection tables`,
      );
      if (sslRows.length > 1)
        warnings.push(
          `the ${p.db.toUpperCase()} database holds ${sslRows.length} SSL rows; set-ssl replaces them`,
        );
      const ssl = sslRows[0];
      const wantSsl: Record<(typeof SSL_COLUMNS)[number], string> = {
        private_key: p.private_key,
        certificate: p.certificate,
        ca_cert: p.ca_cert,
        ssl_protocols: p.ssl_protocols ?? '',
        ssl_ciphers: p.ssl_ciphers ?? '',
      };
      const sslDiff = SSL_COLUMNS.filter(
        (c) => String(ssl?.[c] ?? '') !== wantSsl[c] || sslRows.length !== 1,
      );
      const have = currentListeners(connRows);

      const commands: string[][] = [];
      const reasons: string[] = [];
      if (sslDiff.length > 0) {
        const args = ['set-ssl', p.private_key, p.certificate, p.ca_cert];
        if (wantSsl.ssl_protocols !== '' || wantSsl.ssl_ciphers !== '') args.push(wantSsl.ssl_protocols);
        if (wantSsl.ssl_ciphers !== '') args.push(wantSsl.ssl_ciphers);
        commands.push(args);
        reasons.push(ssl ? `SSL ${sslDiff.join(', ')} changed` : 'no SSL settings yet');
      }
      const setChanged = !sameSet(want, have);
      if (setChanged) {
        const args = ['set-connection'];
        for (const l of want) {
          if (p.db === 'sb') args.push(`role=${l.role}`, l.readOnly ? 'read-only' : 'read-write');
          args.push(l.target);
        }
        commands.push(args);
        reasons.push(
          `listeners ${have.map(describe).join(', ') || '(none)'} -> ${want.map(describe).join(', ')}`,
        );
      }
      // set-connection makes new rows without a probe; otherwise only differing probes change.
      for (const l of want) {
        const before = setChanged ? null : (have.find((h) => identity(h) === identity(l))?.probe ?? null);
        if (before === l.probe) continue;
        commands.push(
          l.probe === null
            ? ['clear', 'Connection', l.target, 'inactivity_probe']
            : ['set', 'Connection', l.target, `inactivity_probe=${ovsdbScalar(l.probe)}`],
        );
        if (!setChanged)
          reasons.push(`${l.target} inactivity_probe ${before ?? 'default'} -> ${l.probe ?? 'default'}`);
      }
      const result = {
        db: p.db,
        ssl: ssl ? Object.fromEntries(SSL_COLUMNS.map((c) => [c, String(ssl[c] ?? '')])) : null,
        listeners: have.map((l) => ({
          target: l.target,
          role: l.role,
          read_only: l.readOnly,
          inactivity_probe: l.probe,
        })),
      };
      if (commands.length === 0) return { steps: [], result, warnings };
      return {
        steps: [
          {
            kind: 'exec',
            command: ctlCommand(t, commands, { write: true }),
            why: because(ctx, `configure TLS of the ${p.db.toUpperCase()} database: ${reasons.join('; ')}`),
          },
        ],
        result,
        warnings,
      };
    }),
});
