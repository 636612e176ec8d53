/**
 * Serialises work per key: two messages racing on one conversation run one
 * after the other, in arrival order, never interleaved. Different keys run in
 * parallel.
 */
export class ConversationLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier call for `key` has settled. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Whether work for `key` is running or queued. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }
}
