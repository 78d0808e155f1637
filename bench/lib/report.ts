/** The benchmark's table (terminal and Markdown) and the targets it is held to. */
import type { BenchResult, JobStats, Row } from './bench.js';
import { JOB_LABEL } from './bench.js';
import { KEY_TYPE_LABEL } from './workspace.js';

const secs = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
const mb = (x: number | undefined): string => (x === undefined ? '-' : `${Math.round(x)} MB`);

function cells(s: JobStats | undefined): string[] {
  return [secs(s?.wallMs), secs(s?.cpuMs), mb(s?.peakRssMb)];
}

function rowCells(r: Row): string[] {
  return [
    KEY_TYPE_LABEL[r.keyType],
    JOB_LABEL[r.job],
    ...cells(r.ovnctl),
    ...cells(r.ansible),
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(r.ratio < 10 ? 1 : 0)}x`,
  ];
}

const HEAD = [
  'key type',
  'job',
  'ovnctl wall',
  'ovnctl CPU',
  'ovnctl RSS',
  'Ansible wall',
  'Ansible CPU',
  'Ansible RSS',
  'Ansible / ovnctl',
];

export function markdownTable(r: BenchResult): string {
  const lines = [`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i < 2 ? '---' : '--:')).join('|')}|`];
  for (const row of r.rows) lines.push(`| ${rowCells(row).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export function textTable(r: BenchResult): string {
  const rows = [HEAD, ...r.rows.map(rowCells)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((c) => (c[i] ?? '').length)));
  return `${rows.map((c) => c.map((x, i) => (i < 2 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join('  ')).join('\n')}\n`;
}

export function headline(r: BenchResult): string {
  const m = r.machine;
  return [
    `${r.hosts} hosts, ${r.certificates} certificates (root + intermediate CA, haproxy + RabbitMQ + OVN per host), ${r.filesPerHost} files per host; median of ${r.runs} run(s)${r.tools.includes('ansible') && r.ansibleRuns !== r.runs ? ` (Ansible: ${r.ansibleRuns})` : ''}`,
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.kernel}; node ${m.node}; ${m.ansible ?? 'no ansible-playbook'}${m.communityCrypto ? `, community.crypto ${m.communityCrypto}` : ''}; ${m.openssh}; ${m.openssl}`,
    `load average at start ${m.loadAverageAtStart.join(' ')}, at end ${r.loadAverageAtEnd.join(' ')}`,
    'wall: median; CPU: median user+system of the tool and the processes it waited for; RSS: peak sum over its process tree',
  ].join('\n');
}

export interface TargetCheck {
  what: string;
  met: boolean;
}

/** The targets for 5 and 50 hosts (2-core machine); other host counts only get the ratio. */
export function checkTargets(r: BenchResult): TargetCheck[] {
  const limits: Record<number, { full: number; rerun: number; rssMb?: number }> = {
    5: { full: 1000, rerun: 500 },
    50: { full: 4000, rerun: 2000, rssMb: 250 },
  };
  const l = limits[r.hosts];
  const out: TargetCheck[] = [];
  for (const row of r.rows) {
    const name = `${KEY_TYPE_LABEL[row.keyType]} ${JOB_LABEL[row.job]}`;
    const o = row.ovnctl;
    if (!o) continue;
    if (l && row.job === 'full')
      out.push({ what: `${name} under ${secs(l.full)} (${secs(o.wallMs)})`, met: o.wallMs < l.full });
    if (l && row.job === 'rerun')
      out.push({ what: `${name} under ${secs(l.rerun)} (${secs(o.wallMs)})`, met: o.wallMs < l.rerun });
    if (l?.rssMb !== undefined)
      out.push({
        what: `${name} peak RSS under ${l.rssMb} MB (${mb(o.peakRssMb)})`,
        met: o.peakRssMb < l.rssMb,
      });
    if (row.ratio !== undefined)
      out.push({
        what: `${name} at least 30x faster than Ansible (${row.ratio.toFixed(1)}x)`,
        met: row.ratio >= 30,
      });
  }
  return out;
}
