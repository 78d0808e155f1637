/**
 * `npm run bench -- --hosts N`: ovnctl against ansible-playbook on the same N rig hosts.
 *
 *   --hosts N         rig hosts (default 5)
 *   --runs R          timed runs of each job, the median is reported (default 5)
 *   --ansible-runs R  timed runs of each ansible-playbook job (default: --runs)
 *   --key-types L     ec,rsa (default both)
 *   --tools L         ovnctl,ansible (default: both when ansible-playbook and community.crypto exist)
 *   --out DIR         where hosts-N.json and hosts-N.md go (default bench/results)
 *   --wait-load X     first wait (at most --wait-max seconds, default 600) for a 1-minute load
 *                     average below X: the machine may be shared
 *
 * Needs root (the rig's sshd hosts run in mount namespaces) and dist/ built (npm ci does it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBench, type Tool } from './lib/bench.js';
import { ansibleVersion, communityCryptoVersion, waitForQuiet } from './lib/machine.js';
import { checkTargets, headline, markdownTable, textTable } from './lib/report.js';
import type { KeyType } from './lib/workspace.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '5' },
    runs: { type: 'string', default: '5' },
    'ansible-runs': { type: 'string' },
    'key-types': { type: 'string', default: 'ec,rsa' },
    tools: { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('./results', import.meta.url)) },
    'wait-load': { type: 'string' },
    'wait-max': { type: 'string', default: '600' },
  },
});

const hosts = Number(values.hosts);
const runs = Number(values.runs);
const ansibleRuns = Number(values['ansible-runs'] ?? runs);
if (![hosts, runs, ansibleRuns].every((n) => Number.isInteger(n) && n >= 1) || hosts > 200) {
  process.stderr.write(
    'usage: npm run bench -- [--hosts N] [--runs R] [--key-types ec,rsa] [--tools ovnctl,ansible]\n',
  );
  process.exit(2);
}
const keyTypes = (values['key-types'] ?? '').split(',').filter(Boolean) as KeyType[];
if (keyTypes.length === 0 || keyTypes.some((k) => k !== 'ec' && k !== 'rsa')) {
  process.stderr.write('--key-types takes ec, rsa or ec,rsa\n');
  process.exit(2);
}
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

let tools: Tool[];
if (values.tools) tools = values.tools.split(',').filter(Boolean) as Tool[];
else {
  tools = ['ovnctl'];
  if (!ansibleVersion()) log('ansible-playbook not found: ovnctl only');
  else if (!communityCryptoVersion())
    log(
      'community.crypto not found (ansible-core alone lacks it; Debian: apt-get install ansible): ovnctl only',
    );
  else tools.push('ansible');
}

if (values['wait-load'])
  await waitForQuiet(Number(values['wait-load']), Number(values['wait-max']) * 1000, log);
const result = await runBench({ hosts, runs, ansibleRuns, keyTypes, tools, net: 9, log });
const text = `${headline(result)}\n\n${textTable(result)}`;
process.stdout.write(`\n${text}`);
const targets = checkTargets(result);
for (const t of targets) process.stdout.write(`${t.met ? 'met   ' : 'MISSED'}  ${t.what}\n`);
await mkdir(values.out as string, { recursive: true });
const base = join(values.out as string, `hosts-${hosts}`);
await writeFile(`${base}.json`, `${JSON.stringify({ ...result, targets }, null, 2)}\n`);
await writeFile(`${base}.md`, `${headline(result).replace(/\n/g, '  \n')}\n\n${markdownTable(result)}`);
log(`written: ${base}.json, ${base}.md`);
