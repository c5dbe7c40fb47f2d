/**
 * The live state every measuring process holds before it loads its library: about `mebibytes` MiB
 * of small objects (records with a name, a few numbers and a short list), as an application's own
 * state would be. Held for the life of the process; never released.
 *
 * Why: how often V8 runs a full (mark-compact) collection depends on how large the old generation is
 * against the limit V8 sets after its first one. A bare measuring process holds 7 to 11 MiB against
 * a first limit of about 14 MiB: a library that loads enough code to pass it gets a tight limit and,
 * while it streams (S2 allocates hundreds of MiB a second of short-lived frames), a mark-compact every
 * few tens of milliseconds, which a smaller library's process never gets. Every library and floor
 * gets the same state, so rows compare what each does per call, not which one crossed V8's first
 * limit at start-up (measurements: README, "How a run works").
 */
const held: unknown[] = [];
/** Records per MiB held (about 1 KiB each, see holdApplicationHeap). */
const recordsPerMebibyte = 1024;

/**
 * Builds and keeps about `mebibytes` MiB of application-like objects (0: none). A row whose server
 * runs in a worker thread has the thread hold as much (`applicationHeapMebibytes()`, passed in its
 * start data): a thread has a heap of its own.
 */
export function holdApplicationHeap(mebibytes: number): void {
  // About 1 KiB each: a record, its name, and a list of 100 small numbers (8 bytes a slot).
  const records = Math.round(mebibytes * recordsPerMebibyte);
  for (let index = 0; index < records; index++) {
    held.push({
      id: index,
      name: `record ${index}`,
      score: index * 0.5,
      values: Array.from({ length: 100 }, (_, slot) => (index + slot) & 0xff),
    });
  }
}

/** The MiB this process (or thread) holds: what its worker threads should hold too. */
export function applicationHeapMebibytes(): number {
  return held.length / recordsPerMebibyte;
}

/** Most MiB `--application-heap` takes. */
export const maxApplicationHeapMebibytes = 4096;

/**
 * The MiB an `--application-heap` option asks for (`fallback` when it is absent).
 *
 * @throws Error naming the option when it is not a whole number from 0 to {@link maxApplicationHeapMebibytes}
 */
export function parseApplicationHeap(option: string | undefined, fallback: number): number {
  if (option === undefined) return fallback;
  const mebibytes = /^\d+$/.test(option) ? Number(option) : Number.NaN;
  if (!(mebibytes <= maxApplicationHeapMebibytes)) {
    throw new Error(
      `expected --application-heap to be a whole number of MiB from 0 to ${maxApplicationHeapMebibytes}, got "${option}"`,
    );
  }
  return mebibytes;
}
