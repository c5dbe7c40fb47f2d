/**
 * Settled values that carry capabilities nobody has taken yet (a local method's returned proxies
 * moved into its result; a value a session decoded). The first taker owns them: a caller awaiting
 * the value ({@link takeCarriedCapabilities}), or, when nobody will, whoever releases them
 * (`releaseCarriedCapabilities`: a session that sent the value on, a result whose last reference
 * went). Marking only values with capabilities keeps plain data free of a second walk.
 */
const carrying = new WeakSet<object>();

/** Marks `value` (a settled value) as carrying capabilities that nobody has taken yet. */
export function markCarriedCapabilities(value: unknown): void {
  if (typeof value === 'object' && value !== null) carrying.add(value);
}

/** The caller takes the capabilities in `value` (it awaited it): nobody else releases them. */
export function takeCarriedCapabilities(value: unknown): void {
  if (typeof value === 'object' && value !== null) carrying.delete(value);
}

/** Whether `value` carried capabilities nobody took; from now on it does not (the caller releases them). */
export function claimCarriedCapabilities(value: unknown): boolean {
  return typeof value === 'object' && value !== null && carrying.delete(value);
}
