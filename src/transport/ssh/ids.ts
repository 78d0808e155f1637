import { OvnctlError } from '../../errors.js';
import { parseIdDatabase } from '../id-database.js';
import type { ExecResult } from '../types.js';
import { shellQuote } from './command.js';
import type { Ownership } from './files.js';

type Kind = 'user' | 'group';

/**
 * User and group ids of one host: /etc/passwd and /etc/group read once (through the host's
 * SFTP session), then one cached `getent` per name they lack (LDAP/SSSD accounts).
 */
export class HostIds {
  private tables: Promise<Record<Kind, Map<string, number>>> | undefined;
  private readonly fromGetent = new Map<string, Promise<number | null>>();

  constructor(
    private readonly host: string,
    private readonly readFile: (path: string) => Promise<Buffer | null>,
    private readonly exec: (command: string) => Promise<ExecResult>,
  ) {}

  async lookup(kind: Kind, name: string): Promise<number | null> {
    if (/^\d+$/.test(name)) return Number(name);
    if (!this.tables) {
      const tables = Promise.all([this.readFile('/etc/passwd'), this.readFile('/etc/group')]).then(
        ([p, g]) => ({
          user: parseIdDatabase(p?.toString('utf8') ?? ''),
          group: parseIdDatabase(g?.toString('utf8') ?? ''),
        }),
      );
      this.tables = tables;
      tables.catch(() => {
        if (this.tables === tables) this.tables = undefined;
      });
    }
    const local = (await this.tables)[kind].get(name);
    if (local !== undefined) return local;
    const key = `${kind}:${name}`;
    let cached = this.fromGetent.get(key);
    if (!cached) {
      cached = this.exec(`getent ${kind === 'user' ? 'passwd' : 'group'} -- ${shellQuote(name)}`).then(
        (r) => {
          const id = r.rc === 0 ? r.stdout.split(':')[2] : undefined;
          return id !== undefined && /^\d+$/.test(id) ? Number(id) : null;
        },
      );
      this.fromGetent.set(key, cached);
      cached.catch(() => this.fromGetent.delete(key));
    }
    return cached;
  }

  /** Numeric ids for `owner`/`group` (absent ones stay unset); an unknown name is an error. */
  async ownership(options: { owner?: string; group?: string }): Promise<Ownership> {
    const resolve = async (kind: Kind, name: string | undefined): Promise<number | undefined> => {
      if (name === undefined) return undefined;
      const id = await this.lookup(kind, name);
      if (id === null) throw new OvnctlError('task-failed', `${this.host}: unknown ${kind} '${name}'`);
      return id;
    };
    const [uid, gid] = await Promise.all([resolve('user', options.owner), resolve('group', options.group)]);
    return { ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) };
  }
}
