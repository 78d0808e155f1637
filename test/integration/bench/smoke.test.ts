/**
 * The benchmark itself (npm run bench) is not part of the test command: this runs it small, on 2
 * rig hosts with one run per job, so it cannot rot. Both tools when ansible-playbook with
 * community.crypto is installed (Debian's `ansible`); with ansible-core alone, ovnctl's side only.
 * Every run is checked by the benchmark (same files, modes, owners and key types on both sides;
 * nothing changes on the re-run; only haproxy's files change on the regeneration).
 */
import { describe, expect, it } from 'vitest';
import { runBench, type Tool } from '../../../bench/lib/bench.js';
import { ansibleVersion, communityCryptoVersion } from '../../../bench/lib/machine.js';
import { markdownTable } from '../../../bench/lib/report.js';

const ansible = ansibleVersion() !== null && communityCryptoVersion() !== null;
const tools: Tool[] = ansible ? ['ovnctl', 'ansible'] : ['ovnctl'];
const scope = ansible
  ? 'ovnctl and ansible-playbook'
  : 'ovnctl side only: ansible-playbook with community.crypto is not installed';

describe('benchmark smoke test', () => {
  it(`2 hosts, 1 run per job (${scope})`, { timeout: 15 * 60_000 }, async () => {
    if (!ansible) console.warn(`bench smoke test: ${scope}`);
    const lines: string[] = [];
    const result = await runBench({
      hosts: 2,
      runs: 1,
      keyTypes: ['ec'],
      tools,
      net: 4,
      timeoutMs: 10 * 60_000,
      log: (l) => lines.push(l),
    });
    expect(result.rows.map((r) => r.job)).toEqual(['full', 'rerun', 'regen']);
    for (const row of result.rows) {
      for (const tool of tools) {
        const s = row[tool];
        expect(s?.samples).toHaveLength(1);
        expect(s?.wallMs).toBeGreaterThan(0);
        expect(s?.cpuMs).toBeGreaterThan(0);
        expect(s?.peakRssMb).toBeGreaterThan(10);
      }
      if (ansible) expect(row.ratio).toBeGreaterThan(0);
    }
    expect(lines).toHaveLength(3 * tools.length);
    expect(markdownTable(result)).toContain('| ECDSA P-384 | no-op re-run |');
    expect(result.certificates).toBe(8);
  });
});
