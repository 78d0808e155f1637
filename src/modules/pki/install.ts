/** `pki_install`: OSA's install_cert.yml: push certificates, chains, bundles and keys from the PKI host to a target. */
import path from 'node:path';
import { OvnctlError } from '../../errors.js';
import { leafPaths, pkiDirs } from '../../pki/layout.js';
import { readUserLeaf, type UserFile } from '../../pki/user-material.js';
import { defineModule, type Plan, type PlanContext } from '../types.js';
import {
  type Entry,
  gatherEntries,
  messageOf,
  optString,
  parseMode,
  readAll,
  resolvePath,
  StepList,
} from './common.js';
import { planTargetFiles, type TargetFile } from './target-files.js';

export interface InstallParams {
  pki_dir: string;
  certificates?: Entry[];
  /** Variables whose names start with this add entries (OSA: `pki_install_certificates_`). */
  search_pattern?: string;
  owner?: string;
  group?: string;
  cert_mode?: string | number;
  key_mode?: string | number;
  dir_mode?: string | number;
}

const TYPES = ['certificate', 'certificate_chain', 'ca_bundle', 'private_key'] as const;
type FileType = (typeof TYPES)[number];

interface Item {
  entry: Entry;
  type: FileType;
  dest: string;
  source: string;
  /** From the user's own files (src) rather than the generated layout (name). */
  user: boolean;
  name: string | undefined;
  where: string;
}

function sourceOf(pkiDir: string, name: string, type: FileType): string {
  const p = leafPaths(pkiDir, name);
  return { certificate: p.cert, certificate_chain: p.chain, ca_bundle: p.caBundle, private_key: p.key }[type];
}

function readItems(entries: readonly Entry[], pkiDir: string, ctx: PlanContext): Item[] {
  const roots = `${pkiDirs(pkiDir).roots}${path.sep}`;
  return entries.map((e, i) => {
    const name = optString(e.name);
    const where = `install entry ${name ?? `#${i + 1}`}${e.dest ? ` (${String(e.dest)})` : ''}`;
    const type = String(e.type ?? 'certificate') as FileType;
    if (!TYPES.includes(type))
      throw new OvnctlError('invalid-input', `${where}: type must be one of ${TYPES.join(', ')}`);
    const dest = optString(e.dest);
    if (!dest || !path.isAbsolute(dest))
      throw new OvnctlError('invalid-input', `${where}: dest must be an absolute path`);
    const src = optString(e.src);
    if (!src && !name)
      throw new OvnctlError('invalid-input', `${where}: give name (a generated certificate) or src (a file)`);
    const source = src ? resolvePath(src, ctx, `${where}: src`) : sourceOf(pkiDir, name as string, type);
    if (
      source.startsWith(roots) &&
      (type === 'private_key' || source.includes(`${path.sep}private${path.sep}`))
    ) {
      throw new OvnctlError(
        'invalid-input',
        `${where}: ${source} is a CA private key; CA keys are never installed on hosts`,
      );
    }
    return { entry: e, type, dest, source, user: Boolean(src), name, where };
  });
}

/** User files are checked as a set per name: key matches certificate, chain verifies, dates, SANs. */
function checkUserFiles(items: readonly Item[], data: Map<string, Buffer | null>, now: Date): void {
  const groups = new Map<string, Item[]>();
  for (const it of items.filter((x) => x.user)) {
    const k = it.name ?? it.dest;
    groups.set(k, [...(groups.get(k) ?? []), it]);
  }
  const file = (it: Item | undefined): UserFile | undefined =>
    it ? { name: it.source, data: data.get(it.source) as Buffer } : undefined;
  for (const group of groups.values()) {
    const cert = file(group.find((x) => x.type === 'certificate' || x.type === 'certificate_chain'));
    const key = file(group.find((x) => x.type === 'private_key'));
    const ca = file(group.find((x) => x.type === 'ca_bundle'));
    if (cert) readUserLeaf({ cert, ...(key ? { key } : {}), ...(ca ? { ca } : {}) }, now);
    else if (key && !/PRIVATE KEY-----/.test(key.data.toString('utf8'))) {
      throw new OvnctlError('invalid-input', `${key.name} holds no PEM private key`);
    }
  }
}

export const pkiInstall = defineModule<InstallParams>({
  name: 'pki_install',
  schema: 'pki_install',
  async plan(params, ctx): Promise<Plan> {
    const pkiDir = resolvePath(params.pki_dir, ctx, 'pki_dir');
    const certMode = parseMode(params.cert_mode, 0o644, 'cert_mode');
    const keyMode = parseMode(params.key_mode, 0o600, 'key_mode');
    const dirMode = parseMode(params.dir_mode, 0o755, 'dir_mode');
    const entries = gatherEntries(
      params.certificates,
      ctx.vars,
      params.search_pattern ?? 'pki_install_certificates_',
      'install',
    );
    const items = readItems(entries, pkiDir, ctx);
    const data = await readAll(
      ctx.controller,
      items.map((i) => i.source),
    );
    const missing = items.filter((i) => !data.get(i.source));
    const missingUser = missing.filter((i) => i.user);
    if (missingUser.length > 0) {
      return {
        steps: [],
        failed: missingUser.map((i) => `${i.where}: src ${i.source} does not exist`).join('; '),
      };
    }
    if (missing.length > 0 && !ctx.check) {
      return {
        steps: [],
        failed: missing
          .map((i) => `${i.where}: ${i.source} does not exist (generate the certificate first)`)
          .join('; '),
      };
    }
    try {
      checkUserFiles(items, data, ctx.now());
    } catch (e) {
      return { steps: [], failed: `user-provided certificate refused: ${messageOf(e)}` };
    }
    const steps = new StepList(ctx.check);
    const later = new StepList(ctx.check);
    const files: TargetFile[] = [];
    for (const it of items) {
      const content = data.get(it.source);
      const isKey = it.type === 'private_key' || Boolean(content?.includes('PRIVATE KEY-----'));
      const label = `${it.type.replace('_', ' ')} ${it.name ?? path.basename(it.source)}`;
      const mode = parseMode(
        it.entry.mode,
        it.type === 'private_key' ? keyMode : certMode,
        `${it.where}: mode`,
      );
      if (isKey && mode & 0o007) {
        return {
          steps: [],
          failed: `${it.where}: a file holding a private key must not be accessible to others (mode ${mode.toString(8)})`,
        };
      }
      const owner = optString(it.entry.owner) ?? params.owner ?? 'root';
      const group = optString(it.entry.group) ?? params.group ?? 'root';
      if (!content) {
        later.write(
          it.dest,
          Buffer.alloc(0),
          null,
          mode,
          true,
          `install ${label} at ${it.dest} (it is generated by an earlier task)`,
        );
        continue;
      }
      files.push({ dest: it.dest, content, mode, owner, group, sensitive: isKey, label });
    }
    await planTargetFiles(ctx.target, files, dirMode, steps);
    return { steps: [...steps.steps, ...later.steps], result: { installed: items.map((i) => i.dest) } };
  },
});
