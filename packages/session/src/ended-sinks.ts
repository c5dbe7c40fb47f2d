import { ProtocolViolation } from './wire/violations.ts';

/**
 * Most ended sinks remembered per session. Stream ids only grow, so the oldest entries are the ones
 * whose source has had longest to see the end; one forgotten means items for it are dropped
 * unchecked (never held), as for an id this side never knew.
 */
const maxEndedSinks = 256;

/**
 * The credit a sink had granted and not yet received when it ended here (its consumer cancelled,
 * or everything was delivered, or the source aborted). The source may still send that much before
 * it sees the end; anything beyond it was never granted and is a protocol violation, even though
 * the items are dropped unread. Without this record a peer could push any amount at a stream whose
 * consumer had already stopped, unseen.
 *
 * Owned by the session's stream bridge; an entry goes when the source's own end arrives, when the
 * bound pushes it out, or with the session.
 */
export class EndedSinks {
  /** Stream id to the units the source may still send. Made with the first ended sink. */
  #remaining: Map<number, number> | undefined;

  /** Records that sink `id` ended with `outstanding` units of credit the source may still use. */
  add(id: number, outstanding: number): void {
    const remaining = (this.#remaining ??= new Map());
    remaining.set(id, outstanding);
    if (remaining.size > maxEndedSinks) remaining.delete(remaining.keys().next().value!);
  }

  /**
   * Items for a sink that is gone arrived: counts `units` against what it had granted.
   * @throws ProtocolViolation when they are more than the sink ever granted.
   */
  receiveItems(id: number, units: number, unit: string): void {
    const left = this.#remaining?.get(id);
    if (left === undefined) return;
    if (units > left) {
      throw new ProtocolViolation(
        `stream ${id} received ${units} ${unit} after it ended here, with only ${left} of credit granted`,
      );
    }
    this.#remaining!.set(id, left - units);
  }

  /** The source's end for a sink that is gone arrived: it sends nothing more. */
  receiveEnd(id: number): void {
    this.#remaining?.delete(id);
  }

  /** The session ended. */
  clear(): void {
    this.#remaining = undefined;
  }
}
