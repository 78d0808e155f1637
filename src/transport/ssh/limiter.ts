/** At most `max` jobs at once; the rest wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('a limit must be a positive integer');
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      // The slot is handed over by the finishing job, so `active` is not incremented here.
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await job();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active -= 1;
    }
  }

  /** Jobs running now (for tests and diagnostics). */
  get running(): number {
    return this.active;
  }
}

/**
 * Caps how many SSH handshakes run at once. Key exchange is CPU-bound on the controller; with
 * 50+ hosts started together, an unbounded burst makes every handshake slow and some hit
 * their connect timeout. Waiting for a slot does not count against that timeout.
 */
export class ConnectionLimiter extends Semaphore {
  constructor(maxConcurrentHandshakes = 16) {
    super(maxConcurrentHandshakes);
  }
}

/** Shared by transports created without an explicit limiter. */
export const defaultConnectionLimiter = new ConnectionLimiter(16);
