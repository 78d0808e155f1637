/** Reading the security event log in tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type LogEvent = Record<string, unknown> & { category: string; event: string };

export function logFile(dir: string): string {
  return join(dir, '.ovnctl', 'security.log');
}

export function readLog(dir: string): LogEvent[] {
  let text = '';
  try {
    text = readFileSync(logFile(dir), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogEvent);
}
