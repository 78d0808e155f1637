import { constants } from 'node:os';
import type ssh2 from 'ssh2';
import { OvnctlError } from '../../errors.js';
import type { ExecResult } from '../types.js';
import { newSudoMarkers, SudoGate } from './become.js';
import { withRemoteTimeout, wrapSudo } from './command.js';

export interface BecomeTarget {
  user: string;
  password?: string;
}

/**
 * Opens an exec channel and calls `attach` synchronously from ssh2's callback: the exit
 * status, output and close can arrive in the same TCP read as the confirmation, and an event
 * emitted before a listener exists is lost. A connection already gone surfaces as `lost()`.
 */
export function openExecChannel(
  client: ssh2.Client,
  command: string,
  lost: () => OvnctlError,
  attach: (channel: ssh2.ClientChannel) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (err, channel) => {
        if (err) return reject(lost());
        attach(channel);
        resolve();
      });
    } catch {
      reject(lost());
    }
  });
}

function exitCode(code: number | null | undefined, signal: string | undefined): number | undefined {
  if (typeof code === 'number') return code;
  if (signal) return 128 + ((constants.signals as Record<string, number>)[`SIG${signal}`] ?? 0);
  return undefined;
}

export interface ExecRequest {
  host: string;
  /** Shell text for the login shell (already composed with env/cwd). */
  script: string;
  become?: BecomeTarget;
  stdin?: string | Buffer;
  timeoutMs?: number;
}

/**
 * Runs one command on its own channel and collects its output. With `become`, the command
 * runs behind sudo and stdin is sent only once sudo has handed over (so a password prompt
 * never swallows the command's input, and the password never reaches the command).
 */
export async function runExec(
  client: ssh2.Client,
  req: ExecRequest,
  connectionFailure: () => OvnctlError | undefined,
  lost: () => OvnctlError,
): Promise<ExecResult> {
  const markers = newSudoMarkers();
  // The host stops the command a little after we give up on it, so its exit does not race our timer.
  const script =
    req.timeoutMs !== undefined ? withRemoteTimeout(req.script, req.timeoutMs / 1000 + 1) : req.script;
  const command = req.become
    ? wrapSudo(script, req.become.user, markers, req.become.password !== undefined)
    : script;
  let settle: (outcome: ExecResult | OvnctlError) => void = () => {};
  const done = new Promise<ExecResult>((resolve, reject) => {
    settle = (outcome) => (outcome instanceof OvnctlError ? reject(outcome) : resolve(outcome));
  });
  let finished = false;
  const finish = (outcome: ExecResult | OvnctlError): void => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    settle(outcome);
  };
  let timer: NodeJS.Timeout | undefined;

  await openExecChannel(client, command, lost, (channel) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sinks = { stdout: (d: Buffer) => out.push(d), stderr: (d: Buffer) => err.push(d) };
    const gate = req.become
      ? new SudoGate(req.host, req.become.user, markers, channel, req.become.password, sinks)
      : undefined;
    let code: number | undefined;
    if (req.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        finish(new OvnctlError('task-failed', `${req.host}: command timed out after ${req.timeoutMs} ms`));
        channel.close();
      }, req.timeoutMs);
    }
    channel.on('data', (d: Buffer) => (gate ? gate.onStdout(d) : sinks.stdout(d)));
    channel.stderr.on('data', (d: Buffer) => (gate ? gate.onStderr(d) : sinks.stderr(d)));
    channel.on('exit', (c: number | null, signal?: string) => {
      code = exitCode(c, signal);
    });
    channel.on('close', () => {
      gate?.onClose();
      // The connection's own close handler runs first; give it the turn before judging.
      setImmediate(() => {
        if (code !== undefined) {
          return finish({
            rc: code,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          });
        }
        finish(
          connectionFailure() ??
            new OvnctlError('task-failed', `${req.host}: the command ended without an exit status`),
        );
      });
    });
    const sendStdin = (): void => {
      if (req.stdin !== undefined && req.stdin.length > 0) channel.end(req.stdin);
      else channel.end();
    };
    if (gate) gate.ready.then(sendStdin, (e: OvnctlError) => finish(e));
    else sendStdin();
  });
  return done;
}
