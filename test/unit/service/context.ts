/** PlanContext for service-module tests: the controller is this machine, the target is scripted. */
import { tmpdir } from 'node:os';
import type { Facts, PlanContext } from '../../../src/modules/types.js';
import { LocalTransport } from '../../../src/transport/local.js';
import type { FileStat } from '../../../src/transport/types.js';

/** A target that knows only which paths exist. */
export function targetWithFiles(paths: readonly string[]): Facts {
  const stat = async (p: string): Promise<FileStat | null> =>
    paths.includes(p) ? { type: 'file', mode: 0o600, uid: 0, gid: 0, size: 1, mtimeMs: 0 } : null;
  return {
    host: 'target',
    stat,
    read: async () => null,
    sha256: async (ps) => new Map(ps.map((p) => [p, null])),
    query: async () => {
      throw new Error('no queries expected');
    },
    lookupId: async () => null,
  };
}

function localFacts(): Facts {
  const t = new LocalTransport('localhost');
  return {
    host: t.host,
    stat: (p) => t.stat(p),
    read: (p) => t.readFile(p),
    sha256: (ps) => t.sha256(ps),
    query: (cmd, o) => t.exec(cmd, o),
    lookupId: (kind, name) => t.lookupId(kind, name),
  };
}

export function planContext(opts: { check?: boolean; target?: Facts; secrets?: string[] } = {}): PlanContext {
  const controller = localFacts();
  return {
    host: 'target',
    target: opts.target ?? controller,
    controller,
    vars: {},
    check: opts.check ?? false,
    now: () => new Date(),
    configDir: tmpdir(),
    secret: (v) => opts.secrets?.push(v),
  };
}
