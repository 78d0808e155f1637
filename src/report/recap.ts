import type { HostStats } from './events.js';

/** Ansible's PLAY RECAP block, same columns and padding. */
export function formatRecap(stats: Record<string, HostStats>): string {
  const lines = [`PLAY RECAP ${'*'.repeat(69)}`];
  for (const [host, s] of Object.entries(stats)) {
    const col = (label: string, n: number): string => `${label}=${String(n).padEnd(4)}`;
    lines.push(
      `${host.padEnd(26)} : ${col('ok', s.ok)} ${col('changed', s.changed)} ${col('unreachable', s.unreachable)} ${col('failed', s.failures)} ${col('skipped', s.skipped)} ${col('rescued', s.rescued)} ${col('ignored', s.ignored)}`.trimEnd(),
    );
  }
  return lines.join('\n');
}
