import { randomBytes } from 'node:crypto';
import { OvnctlError } from '../../errors.js';
import type { SudoMarkers } from './command.js';

export function newSudoMarkers(): SudoMarkers {
  const id = randomBytes(8).toString('hex');
  return { success: `OVNCTL-BECOME-OK-${id}`, prompt: `[ovnctl-sudo-${id}] ` };
}

/** sudo would not run the command for us; the same settings will not do better later. */
export class BecomeRefused extends OvnctlError {}

export interface ChannelLike {
  write(data: Buffer | string): unknown;
  close(): unknown;
}

/** Where a channel's bytes go once the command behind sudo is running. */
export interface Sinks {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
}

/**
 * Sits between a channel running `wrapSudo(...)` and its consumer. Until the success marker
 * appears on stdout, it answers sudo's prompt (once, with the password) and holds stderr;
 * afterwards it forwards both streams untouched. The password is written to the channel only,
 * never kept in any message.
 */
export class SudoGate {
  private started = false;
  private stdoutHead = Buffer.alloc(0);
  private stderrHead = '';
  private prompts = 0;
  private settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  readonly ready: Promise<void>;

  constructor(
    private readonly host: string,
    private readonly user: string,
    private readonly markers: SudoMarkers,
    private readonly channel: ChannelLike,
    private readonly password: string | undefined,
    private readonly sinks: Sinks,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A rejection nobody awaits yet must not crash the process; callers await `ready`.
    this.ready.catch(() => {});
  }

  onStdout(data: Buffer): void {
    if (this.started) {
      this.sinks.stdout(data);
      return;
    }
    this.stdoutHead = Buffer.concat([this.stdoutHead, data]);
    const marker = Buffer.from(`${this.markers.success}\n`);
    const at = this.stdoutHead.indexOf(marker);
    if (at < 0) return;
    this.started = true;
    const rest = this.stdoutHead.subarray(at + marker.length);
    this.stdoutHead = Buffer.alloc(0);
    if (this.stderrHead) this.sinks.stderr(Buffer.from(this.stderrHead));
    this.stderrHead = '';
    this.settle?.resolve();
    if (rest.length > 0) this.sinks.stdout(rest);
  }

  onStderr(data: Buffer): void {
    if (this.started) {
      this.sinks.stderr(data);
      return;
    }
    this.stderrHead += data.toString('utf8');
    while (this.stderrHead.includes(this.markers.prompt)) {
      this.stderrHead = this.stderrHead.replace(this.markers.prompt, '');
      this.prompts += 1;
      if (this.password === undefined) {
        this.fail('sudo asks for a password', 'set ansible_become_password or pass --become-password');
        return;
      }
      if (this.prompts > 1) {
        this.fail('sudo rejected the become password');
        return;
      }
      this.channel.write(`${this.password}\n`);
    }
  }

  /** The channel closed; before the marker that means sudo refused. */
  onClose(): void {
    if (this.started) return;
    const said = this.stderrHead
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !/^\[sudo\] password/i.test(l))
      .slice(0, 2)
      .join('; ');
    this.fail(said ? `sudo refused: ${said.slice(0, 300)}` : 'sudo ended before running the command');
  }

  private fail(reason: string, hint?: string): void {
    if (this.started || !this.settle) return;
    const settle = this.settle;
    this.settle = undefined;
    this.started = false;
    settle.reject(
      new BecomeRefused(
        'task-failed',
        `${this.host}: become (sudo -u ${this.user}) failed: ${reason}`,
        hint ? { hint } : {},
      ),
    );
    this.channel.close();
  }
}
