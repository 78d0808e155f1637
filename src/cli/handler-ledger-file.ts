import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MemoryHandlerLedger } from '../engine/handler-ledger.js';

type Stored = Record<string, Record<string, string[]>>;

/** The handler ledger of one playbook, kept as JSON in the config dir between runs. */
export class FileHandlerLedger extends MemoryHandlerLedger {
  private readonly initial: string;

  constructor(private readonly file: string) {
    super();
    let stored: Stored = {};
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Stored;
    } catch {
      // No ledger yet (or an unreadable one): nothing is owed.
    }
    for (const [play, hosts] of Object.entries(stored)) {
      for (const [host, names] of Object.entries(hosts))
        if (Array.isArray(names)) this.settle(play, host, names.map(String));
    }
    this.initial = this.serialize();
  }

  private serialize(): string {
    const out: Stored = {};
    for (const [key, names] of [...this.entries].sort(([a], [b]) => a.localeCompare(b))) {
      const [play = '', host = ''] = key.split('\0');
      out[play] = { ...out[play], [host]: names };
    }
    return `${JSON.stringify(out, null, 2)}\n`;
  }

  /** Write the ledger if it changed (temp file + rename); remove it when nothing is owed. */
  save(): void {
    const text = this.serialize();
    if (text === this.initial) return;
    if (this.entries.size === 0) {
      rmSync(this.file, { force: true });
      return;
    }
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, this.file);
  }
}
