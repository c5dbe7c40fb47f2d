/**
 * Counts per key (a player's fingerprint): what a player holds of something the lobby bounds per
 * player (open games, reservations, seats in running games, watchers). A key whose count drops to
 * 0 is forgotten, so players who come and go leave nothing behind.
 */
export class KeyCounts {
  readonly #counts = new Map<string, number>();

  /** What `key` holds now (0 when it holds nothing). */
  of(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** `key` took `count` more. */
  add(key: string, count = 1): void {
    this.#counts.set(key, this.of(key) + count);
  }

  /** `key` gave `count` back; at 0 (or below, which a caller's mistake would make) it is forgotten. */
  remove(key: string, count = 1): void {
    const left = this.of(key) - count;
    if (left > 0) this.#counts.set(key, left);
    else this.#counts.delete(key);
  }
}
