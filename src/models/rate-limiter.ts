/** Limits per provider; all optional. */
export interface RateLimits {
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly maxInFlight?: number;
}

const WINDOW_MS = 60_000;

/**
 * Keeps calls to one provider within requests/min, tokens/min and in-flight
 * limits. Token use is estimated before a call and corrected with the real
 * usage afterwards, which off-the-shelf queues do not do.
 */
export class RateLimiter {
  private inFlight = 0;
  private readonly requests: number[] = [];
  private readonly tokens: { at: number; count: number }[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly limits: RateLimits = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits for room for one call of about `estimatedTokens`; returns its handle for {@link release}. */
  async acquire(estimatedTokens = 0): Promise<{ at: number; count: number }> {
    for (;;) {
      const wait = this.waitMs(estimatedTokens);
      if (wait === 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Number.isFinite(wait) ? wait : 60_000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.inFlight += 1;
    const at = this.now();
    this.requests.push(at);
    const entry = { at, count: estimatedTokens };
    this.tokens.push(entry);
    return entry;
  }

  /** Ends a call, recording the tokens it really used. */
  release(entry: { at: number; count: number }, usedTokens?: number): void {
    this.inFlight -= 1;
    if (usedTokens !== undefined) entry.count = usedTokens;
    for (const wake of this.waiters.splice(0)) wake();
  }

  private waitMs(estimatedTokens: number): number {
    const now = this.now();
    while (this.requests.length > 0 && now - (this.requests[0] as number) >= WINDOW_MS)
      this.requests.shift();
    while (this.tokens.length > 0 && now - (this.tokens[0] as { at: number }).at >= WINDOW_MS)
      this.tokens.shift();
    const { maxInFlight, requestsPerMinute, tokensPerMinute } = this.limits;
    if (maxInFlight !== undefined && this.inFlight >= maxInFlight) return Number.POSITIVE_INFINITY;
    if (requestsPerMinute !== undefined && this.requests.length >= requestsPerMinute) {
      return WINDOW_MS - (now - (this.requests[0] as number));
    }
    const used = this.tokens.reduce((sum, entry) => sum + entry.count, 0);
    if (tokensPerMinute !== undefined && used > 0 && used + estimatedTokens > tokensPerMinute) {
      return WINDOW_MS - (now - (this.tokens[0] as { at: number }).at);
    }
    return 0;
  }
}
