import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { FACT_SCRIPT, parseFacts } from '../../../src/engine/gather.js';

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

describe('gathered facts', () => {
  it('parses hostname, fqdn, first global IPv4, OS family and architecture', () => {
    const out = [
      'infra1\n',
      'infra1.example.test\n',
      '2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever\n3: eth1    inet 10.1.0.5/16 scope global eth1\n',
      'ubuntu|debian|22.04\n',
      'aarch64\n',
    ].join('@@\n');
    const f = parseFacts(out);
    expect(f).toMatchObject({
      ansible_hostname: 'infra1',
      ansible_nodename: 'infra1',
      ansible_fqdn: 'infra1.example.test',
      ansible_default_ipv4: { address: '10.0.0.5' },
      ansible_os_family: 'Debian',
      ansible_distribution: 'ubuntu',
      ansible_distribution_version: '22.04',
      ansible_architecture: 'aarch64',
    });
    expect(f.ansible_facts).toMatchObject({ hostname: 'infra1', fqdn: 'infra1.example.test' });
  });

  it('falls back to the hostname for the fqdn and to no address', () => {
    const f = parseFacts(['db2.lab\n', '\n', '\n', 'rhel|fedora|9\n', 'x86_64\n'].join('@@\n'));
    expect(f).toMatchObject({
      ansible_hostname: 'db2',
      ansible_fqdn: 'db2.lab',
      ansible_default_ipv4: {},
      ansible_os_family: 'RedHat',
    });
  });

  // bash is the usual login shell; dash is Debian's /bin/sh (no HOSTTYPE, stricter `.`).
  for (const shell of ['bash', 'dash'].filter((s) => existsSync(`/bin/${s}`))) {
    it(`runs in ${shell} and reports this machine`, () => {
      const f = parseFacts(execFileSync(`/bin/${shell}`, ['-c', FACT_SCRIPT], { encoding: 'utf8' }));
      expect(f.ansible_nodename).toBe(hostname());
      expect(f.ansible_architecture).toBe(ARCH[arch()] ?? arch());
      expect(String(f.ansible_distribution)).not.toBe('');
    });
  }
});
