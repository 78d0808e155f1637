/** `pki_install_ca`: OSA's install_ca.yml: put CA certificates into a host's trust store and refresh it. */
import path from 'node:path';
import { OvnctlError } from '../../errors.js';
import { parseCertificate, parseCertificates } from '../../pki/inspect.js';
import { caPaths, checkName, rotationPaths } from '../../pki/layout.js';
import { formatDate } from '../../pki/ttl.js';
import { defineModule, type Plan, type PlanContext, type Step } from '../types.js';
import {
  type Entry,
  gatherEntries,
  listDir,
  messageOf,
  optString,
  readAll,
  resolvePath,
  StepList,
} from './common.js';
import { planTargetFiles, type TargetFile } from './target-files.js';

export interface InstallCaParams {
  pki_dir: string;
  cas?: Entry[];
  /** Variables whose names start with this add entries (OSA: `pki_install_ca_`). */
  search_pattern?: string;
  /** Trust store directory; found on the host when omitted (Debian, then Red Hat layout). */
  store_dir?: string;
  /** Command that rebuilds the trust store; follows store_dir when omitted. */
  update_command?: string;
}

const STORES = [
  { dir: '/usr/local/share/ca-certificates', command: 'update-ca-certificates' },
  { dir: '/etc/pki/ca-trust/source/anchors', command: 'update-ca-trust extract' },
];

export const pkiInstallCa = defineModule<InstallCaParams>({
  name: 'pki_install_ca',
  schema: 'pki_install_ca',
  async plan(params, ctx): Promise<Plan> {
    const pkiDir = resolvePath(params.pki_dir, ctx, 'pki_dir');
    const entries = gatherEntries(
      params.cas,
      ctx.vars,
      params.search_pattern ?? 'pki_install_ca_',
      'install_ca',
    );
    if (entries.length === 0) return { steps: [] };
    let store = params.store_dir
      ? { dir: params.store_dir, command: params.update_command || 'update-ca-certificates' }
      : undefined;
    if (!store) {
      const stats = await Promise.all(STORES.map((s) => ctx.target.stat(s.dir)));
      store = STORES.find((_, i) => stats[i]?.type === 'directory');
      if (!store) {
        return {
          steps: [],
          failed: `no known CA trust store on ${ctx.host} (${STORES.map((s) => s.dir).join(', ')}); set store_dir`,
        };
      }
      if (params.update_command) store = { ...store, command: params.update_command };
    }
    const items = entries.map((e, i) => {
      const src = optString(e.src);
      const name = optString(e.name);
      const where = `CA entry ${name ?? src ?? `#${i + 1}`}`;
      if (!src && !name)
        throw new OvnctlError('invalid-input', `${where}: give name (a CA under pki_dir) or src (a file)`);
      const source = src
        ? resolvePath(src, ctx, `${where}: src`)
        : caPaths(pkiDir, checkName(name, where)).cert;
      const filename = optString(e.filename) ?? `${name ?? path.basename(source, path.extname(source))}.crt`;
      return {
        source,
        dest: path.isAbsolute(filename) ? filename : path.join(store.dir, filename),
        where,
        label: `CA ${name ?? filename}`,
        trust: !src && name ? rotationPaths(pkiDir, name).trust : undefined,
      };
    });
    const data = await readAll(
      ctx.controller,
      items.map((i) => i.source),
    );
    const steps = new StepList(ctx.check);
    const files: TargetFile[] = [];
    const warnings: string[] = [];
    for (const it of items) {
      const content = data.get(it.source);
      if (!content) {
        if (!ctx.check) return { steps: [], failed: `${it.where}: ${it.source} does not exist` };
        steps.write(
          it.dest,
          Buffer.alloc(0),
          null,
          0o644,
          true,
          `install ${it.label} at ${it.dest} (it is created by an earlier task)`,
        );
        continue;
      }
      try {
        const cert = parseCertificate(content, it.source);
        if (!cert.basicConstraints?.ca)
          return { steps: [], failed: `${it.where}: ${it.source} is not a CA certificate` };
        if (cert.notAfter.getTime() <= ctx.now().getTime())
          warnings.push(`${it.label} expired on ${formatDate(cert.notAfter)}`);
        if (/PRIVATE KEY-----/.test(content.toString('utf8'))) {
          return {
            steps: [],
            failed: `${it.where}: ${it.source} holds a private key; only certificates go into trust stores`,
          };
        }
      } catch (e) {
        return { steps: [], failed: `${it.where}: ${messageOf(e)}` };
      }
      files.push({
        dest: it.dest,
        content,
        mode: 0o644,
        owner: 'root',
        group: 'root',
        sensitive: false,
        label: it.label,
      });
    }
    const removals = await rotationTrust(ctx, items, data, files);
    await planTargetFiles(ctx.target, files, 0o755, steps);
    steps.steps.push(...removals);
    if (steps.steps.some((s) => s.kind === 'write' || s.kind === 'remove'))
      steps.exec(store.command, `refresh the trust store (${store.command})`);
    return { steps: steps.steps, warnings };
  },
});

/**
 * While a CA rotation runs, the other CA certificates of `<CA>-trust.crt` go into the trust store
 * too, one per file (`<name>-rotation-<n>.crt`: hashed trust directories read one certificate per
 * file); once the rotation is over, those files are removed again.
 */
async function rotationTrust(
  ctx: PlanContext,
  items: readonly { source: string; dest: string; label: string; trust: string | undefined }[],
  data: Map<string, Buffer | null>,
  files: TargetFile[],
): Promise<Step[]> {
  const removals: Step[] = [];
  for (const it of items) {
    if (!it.trust || !data.get(it.source)) continue;
    const current = parseCertificate(data.get(it.source) as Buffer, it.source);
    const trust = await ctx.controller.read(it.trust);
    const others = trust
      ? parseCertificates(trust, it.trust).filter(
          (c, i, all) => !c.der.equals(current.der) && all.findIndex((x) => x.der.equals(c.der)) === i,
        )
      : [];
    const base = it.dest.replace(/\.crt$/, '');
    const wanted = new Set<string>();
    others.forEach((c, i) => {
      const dest = `${base}-rotation-${i + 1}.crt`;
      wanted.add(dest);
      files.push({
        dest,
        content: Buffer.from(c.pem),
        mode: 0o644,
        owner: 'root',
        group: 'root',
        sensitive: false,
        label: `${it.label} (rotation: also trusted)`,
      });
    });
    const dir = path.dirname(it.dest);
    const prefix = `${path.basename(base)}-rotation-`;
    for (const f of await listDir(ctx.target, dir)) {
      const full = path.join(dir, f);
      if (f.startsWith(prefix) && f.endsWith('.crt') && !wanted.has(full))
        removals.push({
          kind: 'remove',
          path: full,
          why: `${ctx.check ? 'would ' : ''}remove ${full}: the CA rotation is over`,
        });
    }
  }
  return removals;
}
