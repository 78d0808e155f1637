import type ssh2 from 'ssh2';
import { OvnctlError } from '../../errors.js';
import { newSudoMarkers, SudoGate } from './become.js';
import { SFTP_SERVER_SCRIPT, wrapSudo } from './command.js';
import type { BecomeTarget } from './exec.js';
import { openExecChannel } from './exec.js';
import { SftpSession } from './sftp-client.js';

export interface SftpHandle {
  session: SftpSession;
  /** Settles when the channel has closed (the session has failed by then). */
  closed: Promise<void>;
  end(): void;
}

function subsystem(
  client: ssh2.Client,
  lost: () => OvnctlError,
  attach: (c: ssh2.ClientChannel) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      client.subsys('sftp', (err, channel) => {
        if (err) return reject(lost());
        attach(channel);
        resolve();
      });
    } catch {
      reject(lost());
    }
  });
}

/**
 * Opens the connection's SFTP session. Without become: the `sftp` subsystem. With become:
 * an exec channel running `sudo -u <user> sftp-server`, so files are read and written as that
 * user with the same atomic temp-file-and-rename protocol as without become. (ssh2's own SFTP
 * class can only start the subsystem, hence the small client in sftp-client.ts.)
 */
export async function openSftp(
  client: ssh2.Client,
  host: string,
  become: BecomeTarget | undefined,
  connectionFailure: () => OvnctlError | undefined,
  lost: () => OvnctlError,
): Promise<SftpHandle> {
  const markers = newSudoMarkers();
  let channel: ssh2.ClientChannel | undefined;
  let session: SftpSession | undefined;
  let gate: SudoGate | undefined;
  let closed: Promise<void> = Promise.resolve();
  const attach = (ch: ssh2.ClientChannel): void => {
    channel = ch;
    const s = new SftpSession((packet) => ch.write(packet));
    session = s;
    let stderr = '';
    const sinks = {
      stdout: (d: Buffer) => s.feed(d),
      stderr: (d: Buffer) => {
        if (stderr.length < 2000) stderr += d.toString('utf8');
      },
    };
    const g = become ? new SudoGate(host, become.user, markers, ch, become.password, sinks) : undefined;
    gate = g;
    ch.on('data', (d: Buffer) => (g ? g.onStdout(d) : sinks.stdout(d)));
    ch.stderr.on('data', (d: Buffer) => (g ? g.onStderr(d) : sinks.stderr(d)));
    closed = new Promise<void>((resolve) => {
      ch.on('close', () => {
        g?.onClose();
        // Let the connection's close handler record its failure first.
        setImmediate(() => {
          const said = stderr.trim().split('\n')[0]?.slice(0, 300);
          s.fail(
            connectionFailure() ??
              new OvnctlError('task-failed', `${host}: the SFTP session ended${said ? `: ${said}` : ''}`),
          );
          resolve();
        });
      });
    });
  };
  if (become) {
    await openExecChannel(
      client,
      wrapSudo(SFTP_SERVER_SCRIPT, become.user, markers, become.password !== undefined),
      lost,
      attach,
    );
  } else {
    await subsystem(client, lost, attach);
  }
  if (!channel || !session) throw lost();
  const ch = channel;
  try {
    if (gate) await gate.ready;
    await session.init();
  } catch (e) {
    ch.close();
    throw e;
  }
  return { session, closed, end: () => ch.close() };
}
