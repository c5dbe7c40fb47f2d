/**
 * The callers of `Connection.whenDrained()` waiting for a backlog to fall: they share one promise,
 * which `release()` resolves (when the backlog fell to the low-water mark, or the connection ended).
 * Transports keep one per connection.
 */
export class DrainWaiters {
  #pending: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined = undefined;

  /** Whether anyone is waiting. */
  get waiting(): boolean {
    return this.#pending !== undefined;
  }

  /** A promise that resolves at the next `release()`. */
  wait(): Promise<void> {
    if (this.#pending === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.#pending = { promise, resolve };
    }
    return this.#pending.promise;
  }

  /** Resolves everyone waiting (nothing happens when nobody waits). */
  release(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve();
  }
}
