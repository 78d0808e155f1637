/**
 * Handlers a host was notified for but that did not run to success (the host failed later in
 * the play, the handler itself failed, or the run was stopped). Ansible forgets them, so a
 * failed reload is never retried; ovnctl records them and notifies them again on the next run
 * of the same play.
 */
export interface HandlerLedger {
  /** Notification names still owed to `host` by `play` from an earlier run. */
  owed(play: string, host: string): string[];
  /** What is owed after this run; an empty list clears the host's entry. */
  settle(play: string, host: string, names: readonly string[]): void;
}

/** A ledger kept in memory, for tests and for check mode (which must not persist anything). */
export class MemoryHandlerLedger implements HandlerLedger {
  readonly entries = new Map<string, string[]>();

  owed(play: string, host: string): string[] {
    return this.entries.get(`${play}\0${host}`) ?? [];
  }

  settle(play: string, host: string, names: readonly string[]): void {
    const key = `${play}\0${host}`;
    if (names.length === 0) this.entries.delete(key);
    else this.entries.set(key, [...names]);
  }
}
