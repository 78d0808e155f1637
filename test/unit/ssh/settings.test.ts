import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import { splitShellWords } from '../../../src/shell.js';
import { sshSettingsFromVars } from '../../../src/transport/ssh/settings.js';
import { parseJumpSpec, parseSshArgs } from '../../../src/transport/ssh/ssh-args.js';
import { VaultedValue } from '../../../src/yaml/tags.js';

const home = mkdtempSync(join(tmpdir(), 'ovnctl-home-'));
mkdirSync(join(home, '.ssh'));
writeFileSync(join(home, '.ssh', 'id_ecdsa'), 'not read here');
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('sshSettingsFromVars', () => {
  it('uses defaults from home and the inventory name', () => {
    const s = sshSettingsFromVars('infra1', {}, { home, user: 'deploy', agentSocket: '/run/agent.sock' });
    expect(s).toMatchObject({
      host: 'infra1',
      address: 'infra1',
      port: 22,
      user: 'deploy',
      privateKeyFiles: [join(home, '.ssh', 'id_ecdsa')],
      knownHostsFiles: [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'],
      knownHostsWriteFile: join(home, '.ssh', 'known_hosts'),
      hostKeyChecking: 'accept-new',
      connectTimeoutMs: 10_000,
      agentSocket: '/run/agent.sock',
    });
    expect(s.become).toBeUndefined();
  });

  it('lets inventory variables win over the command line', () => {
    const s = sshSettingsFromVars(
      'infra1',
      {
        ansible_host: '10.0.0.11',
        ansible_port: '2222',
        ansible_user: 'root',
        ansible_ssh_private_key_file: '~/.ssh/deploy',
        ansible_timeout: 3,
        ansible_become: 'yes',
        ansible_become_user: 'svc',
        ansible_become_password: 'pw',
      },
      { home, user: 'cli', privateKey: '/k', timeout: 30, becomeUser: 'cliuser', becomePassword: 'clipw' },
    );
    expect(s).toMatchObject({
      address: '10.0.0.11',
      port: 2222,
      user: 'root',
      privateKeyFiles: [join(home, '.ssh', 'deploy')],
      connectTimeoutMs: 3000,
      become: { method: 'sudo', user: 'svc', password: 'pw' },
    });
  });

  it('takes become from the command line when the inventory is silent', () => {
    const s = sshSettingsFromVars('h', {}, { home, become: true, becomePassword: 'x' });
    expect(s.become).toEqual({ method: 'sudo', user: 'root', password: 'x' });
    expect(
      sshSettingsFromVars('h', { ansible_become: false }, { home, become: true }).become,
    ).toBeUndefined();
  });

  it('maps host key checking variables with ovnctl_ winning', () => {
    const check = (vars: Record<string, unknown>, cli = {}) =>
      sshSettingsFromVars('h', vars, { home, ...cli }).hostKeyChecking;
    expect(check({ ansible_host_key_checking: false })).toBe('off');
    expect(check({ ansible_host_key_checking: 'True' })).toBe('strict');
    expect(check({ ansible_host_key_checking: false, ovnctl_host_key_checking: 'accept-new' })).toBe(
      'accept-new',
    );
    expect(check({}, { hostKeyChecking: 'strict' })).toBe('strict');
    expect(check({ ansible_ssh_common_args: '-o StrictHostKeyChecking=no' })).toBe('off');
    expect(() => check({ ovnctl_host_key_checking: 'maybe' })).toThrow(/ovnctl_host_key_checking/);
  });

  it('reads ProxyJump, UserKnownHostsFile and ConnectTimeout from ansible_ssh_common_args', () => {
    const s = sshSettingsFromVars(
      'infra2',
      {
        ansible_user: 'root',
        ansible_ssh_common_args:
          '-o ProxyJump=jump@10.0.0.1:2200 -o "UserKnownHostsFile=~/kh"  -oConnectTimeout=4',
      },
      { home },
    );
    expect(s.proxyJump).toEqual({ address: '10.0.0.1', port: 2200, user: 'jump' });
    expect(s.knownHostsFiles).toEqual([join(home, 'kh')]);
    expect(s.knownHostsWriteFile).toBe(join(home, 'kh'));
    expect(s.connectTimeoutMs).toBe(4000);
    expect(
      sshSettingsFromVars('h', { ansible_user: 'u', ansible_ssh_common_args: '-J bastion' }, { home })
        .proxyJump,
    ).toEqual({
      address: 'bastion',
      port: 22,
      user: 'u',
    });
  });

  it('rejects what it would get wrong, naming host and variable, without echoing secrets', () => {
    const err = (vars: Record<string, unknown>): OvnctlError => {
      try {
        sshSettingsFromVars('infra3', vars, { home });
      } catch (e) {
        if (e instanceof OvnctlError) return e;
      }
      throw new Error('no OvnctlError');
    };
    expect(err({ ansible_ssh_common_args: "-o ProxyCommand='ssh -W %h:%p jump'" }).message).toMatch(
      /^infra3: ansible_ssh_common_args: ProxyCommand/,
    );
    expect(err({ ansible_ssh_common_args: '-J a,b' }).message).toMatch(/multi-hop/);
    expect(err({ ansible_port: 'ssh' }).message).toBe(
      "infra3: ansible_port must be a port number, got 'ssh'",
    );
    expect(err({ ansible_become: true, ansible_become_method: 'su' }).code).toBe('invalid-input');
    const vaulted = err({
      ansible_become: true,
      ansible_become_password: new VaultedValue('$ANSIBLE_VAULT;1.1;AES256\n00'),
    });
    expect(vaulted.message).toBe('infra3: ansible_become_password must be a plain value');
  });
});

describe('ssh argument helpers', () => {
  it('splits words like a shell', () => {
    expect(splitShellWords(`-o 'A=b c' "d\\"e" f\\ g`)).toEqual(['-o', 'A=b c', 'd"e', 'f g']);
    expect(() => splitShellWords(`'open`)).toThrow(/unbalanced/);
  });

  it('parses jump specs', () => {
    expect(parseJumpSpec('u@h:2')).toEqual({ user: 'u', address: 'h', port: 2 });
    expect(parseJumpSpec('ssh://h')).toEqual({ address: 'h' });
    expect(parseJumpSpec('u@[::1]:22')).toEqual({ user: 'u', address: '::1', port: 22 });
    expect(() => parseJumpSpec('h:99999')).toThrow(/port/);
  });

  it('collects -i identity files and ignores options that only tune OpenSSH', () => {
    expect(
      parseSshArgs(
        'h',
        'v',
        '-i /a -o IdentityFile=/b -o ControlMaster=auto -o ServerAliveInterval=5',
        'root',
      ),
    ).toEqual({
      identityFiles: ['/a', '/b'],
    });
  });
});
