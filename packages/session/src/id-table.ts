/**
 * A table of entries keyed by the protocol's integer ids (question ids), for ids that mostly come in
 * ascending order and mostly leave soon: each entry sits in the slot `id & mask` of one fixed array;
 * an id whose slot is held by an older live id waits in a `Map` beside them.
 *
 * Why not a `Map` alone: a session's tables live as long as the session, so a collection promotes
 * them to the old generation, and V8 then makes every new backing store of a `Map` in the old
 * generation too. A `Map` with one entry added and removed per call replaces its backing store
 * every few calls, so a long-lived session's calls each paid an old-generation allocation and the
 * full collections its garbage brings (measured: a set and delete 0.05 µs in a young `Map`, 0.6 µs
 * in one that a collection promoted). The slot array here is allocated once per size and only
 * written after that.
 *
 * Ids come from the peer on the answering side: an id the slots cannot hold (one colliding with a
 * live id, a negative or fractional one) goes to the `Map`, so a peer choosing its ids only makes
 * this table a `Map` again. The slots grow with the live entries (past 32 slots, at most about four
 * slots a live entry) and shrink as they leave; a resize moves every entry, at most once per entries added or
 * removed since the last, so a peer cannot make it cost more than the messages it sends.
 */
const initialCapacity = 4;
/**
 * A table grows on a collision until it has this many slots, whatever its live count: one entry
 * that stays (a call that waits for an event, a pipelined answer kept) then sends one id in 32 to
 * the overflow, not one in 4. An idle session's tables stay at `initialCapacity`.
 */
const minCollisionCapacity = 32;

export class IdTable<T> {
  /**
   * Slot `i` is the pair at `2i` (its id, `undefined` when empty) and `2i + 1` (its entry): one
   * array, so that a small table weighs what a small `Map` does.
   */
  #slots: unknown[];
  #mask: number;
  /** Entries in the slots. */
  #inSlots: number;
  /** Entries whose slot was taken when they came (made on the first). */
  #overflow: Map<number, T> | undefined;

  constructor() {
    this.#slots = new Array<unknown>(initialCapacity * 2).fill(undefined);
    this.#mask = initialCapacity - 1;
    this.#inSlots = 0;
    this.#overflow = undefined;
  }

  /** How many entries the table holds. */
  get size(): number {
    return this.#inSlots + (this.#overflow?.size ?? 0);
  }

  /** How many slots the table has now (the overflow aside). */
  get slotCount(): number {
    return this.#mask + 1;
  }

  /** The entry of `id`, or `undefined`. */
  get(id: number): T | undefined {
    const at = (id & this.#mask) * 2;
    if (this.#slots[at] === id) return this.#slots[at + 1] as T;
    return this.#overflow?.get(id);
  }

  /** Whether the table holds an entry for `id`. */
  has(id: number): boolean {
    return this.#slots[(id & this.#mask) * 2] === id || (this.#overflow?.has(id) ?? false);
  }

  /** Sets the entry of `id`, replacing the one it had. */
  set(id: number, value: T): void {
    let at = (id & this.#mask) * 2;
    const held = this.#slots[at];
    if (held === id) {
      this.#slots[at + 1] = value;
      return;
    }
    if (this.#overflow?.has(id)) {
      this.#overflow.set(id, value);
      return;
    }
    if (held !== undefined && (this.#inSlots * 2 > this.#mask || this.#mask < minCollisionCapacity - 1)) {
      // Many live entries, or a few slots and one long-lived entry (a root, a pending call) in the
      // way of every `capacity`-th id: double the slots, so that ascending ids find theirs free again.
      this.#resize((this.#mask + 1) * 2);
      at = (id & this.#mask) * 2;
    }
    if (this.#slots[at] === undefined && Number.isInteger(id) && id >= 0) {
      this.#slots[at] = id;
      this.#slots[at + 1] = value;
      this.#inSlots += 1;
    } else (this.#overflow ??= new Map()).set(id, value);
  }

  /** Removes the entry of `id`; false when there was none. */
  delete(id: number): boolean {
    const at = (id & this.#mask) * 2;
    if (this.#slots[at] === id) {
      this.#slots[at] = undefined;
      this.#slots[at + 1] = undefined;
      this.#inSlots -= 1;
      // Few left after a burst: halve the slots, so that a table holds no more than its peak needs
      // (never below what a collision grows it to, or the two would take turns).
      if (this.#inSlots * 8 < this.#mask && this.#mask >= minCollisionCapacity * 2 - 1)
        this.#resize((this.#mask + 1) / 2);
      return true;
    }
    const overflow = this.#overflow;
    if (overflow === undefined || !overflow.delete(id)) return false;
    // Dropped when empty, so that a collision now and then makes a young Map, not churn in an old one.
    if (overflow.size === 0) this.#overflow = undefined;
    return true;
  }

  /**
   * Empties the table and returns what it held, in ascending order of id (the order a peer that
   * counts its ids up opened them in).
   */
  drain(): T[] {
    const entries: [number, T][] = [];
    const slots = this.#slots;
    for (let at = 0; at < slots.length; at += 2) {
      if (slots[at] !== undefined) entries.push([slots[at] as number, slots[at + 1] as T]);
    }
    if (this.#overflow !== undefined) for (const entry of this.#overflow) entries.push(entry);
    entries.sort((a, b) => a[0] - b[0]);
    slots.fill(undefined);
    this.#inSlots = 0;
    this.#overflow = undefined;
    return entries.map((entry) => entry[1]);
  }

  /** Makes `capacity` slots and moves every entry, from the overflow too, into the slot its id now has. */
  #resize(capacity: number): void {
    const slots = this.#slots;
    const overflow = this.#overflow;
    this.#slots = new Array<unknown>(capacity * 2).fill(undefined);
    this.#mask = capacity - 1;
    this.#inSlots = 0;
    this.#overflow = undefined;
    for (let at = 0; at < slots.length; at += 2) {
      if (slots[at] !== undefined) this.set(slots[at] as number, slots[at + 1] as T);
    }
    if (overflow !== undefined) for (const [id, value] of overflow) this.set(id, value);
  }
}
