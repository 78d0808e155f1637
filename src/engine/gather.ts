import type { Transport } from '../transport/types.js';

// One exec per host, every fact in a single round trip. The host pays for each process a fact
// costs (on a busy controller-and-hosts box that is most of a no-op run), so shell builtins do
// what they can: the hostname from /proc, os-release sourced in place, the architecture from
// bash's HOSTTYPE. Only `hostname -f` (the resolver) and `ip` are separate processes.
export const FACT_SCRIPT = [
  '{ read -r h < /proc/sys/kernel/hostname; } 2>/dev/null || h=$(hostname); echo "$h"',
  'hostname -f 2>/dev/null || echo "$h"',
  'ip -4 -o addr show scope global 2>/dev/null',
  // A failing `.` ends a POSIX shell: source only a readable file.
  'if [ -r /etc/os-release ]; then . /etc/os-release; fi; echo "$ID|$ID_LIKE|$VERSION_ID"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not JS.
  'echo "${HOSTTYPE:-$(uname -m)}"',
].join('; echo @@; ');

/** Facts from FACT_SCRIPT's output. */
export function parseFacts(stdout: string): Record<string, unknown> {
  const [hostname = '', fqdn = '', addrs = '', os = '', arch = ''] = stdout.split('@@').map((s) => s.trim());
  const [id = '', idLike = '', version = ''] = os.split('|');
  const family = /debian|ubuntu/.test(`${id} ${idLike}`)
    ? 'Debian'
    : /rhel|fedora|centos/.test(`${id} ${idLike}`)
      ? 'RedHat'
      : id || 'unknown';
  // `ip -o` prints "2: eth0    inet 10.0.0.5/24 brd ... scope global eth0": the first one is the default.
  const ipv4 = addrs.split('\n')[0]?.trim().split(/\s+/)[3] ?? '';
  const address = ipv4.split('/')[0] ?? '';
  const facts = {
    ansible_hostname: hostname.split('.')[0] ?? hostname,
    ansible_nodename: hostname,
    ansible_fqdn: fqdn || hostname,
    ansible_default_ipv4: address ? { address } : {},
    ansible_os_family: family,
    ansible_distribution: id,
    ansible_distribution_version: version,
    ansible_architecture: arch,
  };
  return {
    ...facts,
    ansible_facts: Object.fromEntries(Object.entries(facts).map(([k, v]) => [k.replace(/^ansible_/, ''), v])),
  };
}

/** A minimal fact set: hostname, fqdn, default IPv4, OS family. */
export async function gatherFacts(transport: Transport): Promise<Record<string, unknown>> {
  return parseFacts((await transport.exec(FACT_SCRIPT)).stdout);
}
