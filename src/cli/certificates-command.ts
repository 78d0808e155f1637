/** `ovnctl certificates <action>`: argv -> a lifecycle action; the exit status is decided here. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OvnctlError } from '../errors.js';
import { listCommand, reissueCommand, renewCommand, type Scope } from '../lifecycle/commands.js';
import { Progress } from '../lifecycle/outcome.js';
import { type RotateRequest, rotateCommand, type UserCaFiles } from '../lifecycle/rotate.js';
import { abortCommand } from '../lifecycle/rotate-abort.js';
import { regenOverrides } from '../lifecycle/security-observer.js';
import { Session } from '../lifecycle/session.js';
import { readUserCa } from '../pki/user-material.js';
import { COMMON_OPTIONS, count, parseCommandArgs, RUN_OPTIONS, str } from './args.js';
import { EXIT } from './exit-codes.js';
import { CERTIFICATES_HELP } from './help.js';
import type { CliIo } from './io.js';
import { acquireConfigLock } from './lock.js';
import { loadCommon, openSecurityLog, resolveLimit } from './setup.js';

const CERT_OPTIONS = {
  ...COMMON_OPTIONS,
  forks: RUN_OPTIONS.forks,
  user: RUN_OPTIONS.user,
  'private-key': RUN_OPTIONS['private-key'],
  timeout: RUN_OPTIONS.timeout,
  'host-key-checking': RUN_OPTIONS['host-key-checking'],
  become: RUN_OPTIONS.become,
  'become-user': RUN_OPTIONS['become-user'],
  'ask-become-pass': RUN_OPTIONS['ask-become-pass'],
  'become-password-file': RUN_OPTIONS['become-password-file'],
  'ssh-passphrase-file': RUN_OPTIONS['ssh-passphrase-file'],
  within: { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  combined: { type: 'string' },
  pkcs12: { type: 'string' },
  'passphrase-file': { type: 'string' },
  abort: { type: 'boolean' },
} as const;

const ACTIONS = ['list', 'reissue', 'renew', 'regenerate-ca', 'set-ca'];

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new OvnctlError('usage', `cannot read the ${what} ${path}`);
  }
}

/** set-ca's files, checked before anything is written: a refused CA changes nothing. */
async function userCaFiles(values: Record<string, unknown>, cwd: string): Promise<UserCaFiles> {
  const pick = (k: string) => (typeof values[k] === 'string' ? resolve(cwd, values[k] as string) : undefined);
  const cert = pick('cert');
  const key = pick('key');
  const combined = pick('combined');
  const pkcs12 = pick('pkcs12');
  const forms = [cert, combined, pkcs12].filter(Boolean).length;
  if (forms !== 1 || (key && !cert)) {
    throw new OvnctlError('usage', 'set-ca takes --cert F --key F, or --combined F, or --pkcs12 F', {
      hint: 'see ovnctl certificates --help',
    });
  }
  const passFile = pick('passphrase-file');
  const passphrase = passFile
    ? readFile(passFile, 'passphrase file')
        .toString('utf8')
        .replace(/\r?\n$/, '')
    : undefined;
  const certFile = cert ?? combined;
  await readUserCa(
    {
      ...(certFile ? { cert: { name: certFile, data: readFile(certFile, 'CA certificate') } } : {}),
      ...(key ? { key: { name: key, data: readFile(key, 'CA key') } } : {}),
      ...(pkcs12 ? { pkcs12: { name: pkcs12, data: readFile(pkcs12, 'PKCS#12 bundle') } } : {}),
      ...(passphrase ? { passphrase } : {}),
    },
    new Date(),
  );
  return {
    ...(certFile ? { cert: certFile } : {}),
    ...(key ? { key } : {}),
    ...(pkcs12 ? { pkcs12 } : {}),
    ...(passphrase ? { passphrase } : {}),
  };
}

export async function certificatesCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, CERT_OPTIONS, 'certificates');
  const [action, ...args] = positionals;
  if (values.help || action === undefined) {
    io.stdout(CERTIFICATES_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (!ACTIONS.includes(action))
    throw new OvnctlError('usage', `unknown action '${action}'`, { hint: `one of: ${ACTIONS.join(', ')}` });
  if (args.length !== (action === 'reissue' ? 1 : 0)) {
    throw new OvnctlError(
      'usage',
      action === 'reissue' ? 'reissue takes one service name, or all' : `${action} takes no arguments`,
      {
        hint: 'see ovnctl certificates --help',
      },
    );
  }
  const output = str(values.output) ?? 'text';
  if (output !== 'text' && output !== 'json')
    throw new OvnctlError('usage', '--output must be text or json here');
  const rotates = action === 'regenerate-ca' || action === 'set-ca';
  if (rotates && values.limit !== undefined)
    throw new OvnctlError('usage', `${action} covers every host: --limit does not apply`);
  const abort = values.abort === true;
  if (abort && !rotates) throw new OvnctlError('usage', '--abort belongs to regenerate-ca and set-ca');
  // --abort ends the rotation in progress, whatever it rotates: it takes no CA or CA files.
  for (const opt of ['ca', 'cert', 'key', 'combined', 'pkcs12', 'passphrase-file'])
    if (abort && values[opt] !== undefined)
      throw new OvnctlError('usage', `--abort takes no --${opt}: it abandons the rotation in progress`);
  for (const opt of ['cert', 'key', 'combined', 'pkcs12', 'passphrase-file'])
    if (values[opt] !== undefined && action !== 'set-ca')
      throw new OvnctlError('usage', `--${opt} belongs to set-ca`);
  if (values.ca !== undefined && !rotates)
    throw new OvnctlError('usage', '--ca belongs to regenerate-ca and set-ca');
  const user = action === 'set-ca' && !abort ? await userCaFiles(values, io.cwd) : undefined;

  const loaded = await loadCommon(values, io.env, io.cwd);
  if (user?.passphrase) loaded.secrets.add(user.passphrase);
  const command = `certificates ${action}${abort ? ' --abort' : ''}`;
  const security = openSecurityLog(loaded, io, count(values.verbose) > 0);
  const session = new Session(loaded, values, io, security, command);
  const scope: Scope = {
    limit: resolveLimit(loaded.inventory, str(values.limit), io.cwd),
    json: output === 'json',
  };
  const within = str(values.within);
  if (action === 'list') return listCommand(session, within, scope);

  for (const e of regenOverrides(loaded.extraVars, command)) security.write(e);
  const release = acquireConfigLock(loaded.configDir);
  const progress = new Progress(io, scope.json);
  try {
    let code: number;
    if (action === 'reissue') code = await reissueCommand(session, args[0] as string, scope, progress);
    else if (action === 'renew') code = await renewCommand(session, within, scope, progress);
    else if (abort) code = await abortCommand(session, progress);
    else {
      const req: RotateRequest = {
        kind: action === 'set-ca' ? 'set-ca' : 'regenerate-ca',
        ca: str(values.ca),
        ...(user ? { user } : {}),
      };
      code = await rotateCommand(session, req, progress);
    }
    progress.finish(command, { exit: code });
    return code;
  } finally {
    release();
  }
}
