import type { Transport } from '../transport/types.js';

// One exec per host: every fact in a single round trip.
const FACT_SCRIPT = [
  'hostname',
  'hostname -f 2>/dev/null || hostname',
  "(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | head -n1) || true",
  '(. /etc/os-release 2>/dev/null && echo "$ID|$ID_LIKE|$VERSION_ID") || echo \'||\'',
  'uname -m',
].join('; echo @@; ');

/** A minimal fact set: hostname, fqdn, default IPv4, OS family. */
export async function gatherFacts(transport: Transport): Promise<Record<string, unknown>> {
  const r = await transport.exec(FACT_SCRIPT);
  const [hostname = '', fqdn = '', ipv4 = '', os = '', arch = ''] = r.stdout.split('@@').map((s) => s.trim());
  const [id = '', idLike = '', version = ''] = os.split('|');
  const family = /debian|ubuntu/.test(`${id} ${idLike}`)
    ? 'Debian'
    : /rhel|fedora|centos/.test(`${id} ${idLike}`)
      ? 'RedHat'
      : id || 'unknown';
  const address = ipv4.split('/')[0] ?? '';
  const facts = {
    ansible_hostname: hostname.split('.')[0] ?? hostname,
    ansible_nodename: hostname,
    ansible_fqdn: fqdn,
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
