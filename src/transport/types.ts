/**
 * What the engine needs from a host. Implementations: local.ts (this machine),
 * ssh.ts (ssh2). The PKI core never imports this.
 */

export interface ExecOptions {
  /** Bytes written to the command's standard input, then closed. */
  stdin?: string | Buffer;
  env?: Record<string, string>;
  cwd?: string;
  /** Run through sudo (become) as this user, if the transport supports it. */
  becomeUser?: string;
  /** Give up after this many milliseconds (the command is killed). */
  timeoutMs?: number;
  /** Scratch paths the command creates and renames away; removed if ovnctl is forced to exit meanwhile. */
  tempPaths?: readonly string[];
}

export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
}

export interface FileStat {
  /** 'file' | 'directory' | 'symlink' | 'other' (symlinks are followed, so 'symlink' means dangling). */
  type: 'file' | 'directory' | 'symlink' | 'other';
  /** Permission bits only (e.g. 0o600). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
}

export interface WriteOptions {
  /** Permission bits, applied to the temp file before it is renamed into place. */
  mode: number;
  /** User name or numeric id; applied before the rename. */
  owner?: string;
  group?: string;
}

export interface DirOptions {
  mode: number;
  owner?: string;
  group?: string;
}

export interface Transport {
  /** Inventory name of the host this transport reaches. */
  readonly host: string;
  /** 'local' | 'ssh' */
  readonly kind: string;
  /** Open the connection (idempotent). Throws OvnctlError('unreachable') when the host cannot be reached. */
  connect(): Promise<void>;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** File contents, or null when the path does not exist. */
  readFile(path: string): Promise<Buffer | null>;
  /** Stat following symlinks; null when the path does not exist. */
  stat(path: string): Promise<FileStat | null>;
  /** sha256 hex of each path (null for a missing path), batched into one round trip where possible. */
  sha256(paths: readonly string[]): Promise<Map<string, string | null>>;
  /** Write to a temp file in the same directory, set mode/owner, fsync, rename over `path`. */
  writeFileAtomic(path: string, data: Buffer, options: WriteOptions): Promise<void>;
  /** mkdir -p, then set mode/owner on the last component. */
  mkdir(path: string, options: DirOptions): Promise<void>;
  /** Set mode and/or owner of an existing path. */
  setAttributes(path: string, attrs: Partial<WriteOptions>): Promise<void>;
  /** rm -rf (no error when absent). */
  remove(path: string): Promise<void>;
  /** Resolve a user/group name to its numeric id on that host (null when unknown). */
  lookupId(kind: 'user' | 'group', name: string): Promise<number | null>;
  close(): Promise<void>;
}
