import { releaseCarriedCapabilities } from '../facade/capability-copy.ts';
import type { Settlement } from '../seam/capability-handler.ts';

/**
 * Gives back what a result handler's settlement holds, when the result's last reference has gone:
 * the local promise (`PromiseHandler`) and a session's remote question (`QuestionHandler` in
 * `@msc/session`) both call it from `release()` at zero references, and again at the end of
 * `settle()` if nobody holds the result by then.
 *
 * Ownership (docs/ownership.md): the settlement owns what it carries until someone takes it over.
 * - A value settlement: the proxies inside the value that nobody took (the caller never awaited
 *   it, no session sent it on) are released here, with the result's last reference.
 * - A capability settlement: its one reference is the result handler's; it is released here, once.
 *   The last release may come from a settlement listener while the settlement is being told (a
 *   caretaker releasing what it forwarded), and the end of the telling checks again, so the caller
 *   keeps `capabilityReleased` (a field of its own) and passes it back in: a second call gives
 *   nothing back twice.
 * - An error settlement, or none yet: there is nothing to give back.
 *
 * A plain function rather than a base class: it runs once per result (not per call in a loop) and
 * allocates nothing.
 *
 * @param settlement - the result's settlement (`undefined` while it is pending)
 * @param capabilityReleased - whether an earlier call already released the capability's reference
 * @returns the new `capabilityReleased`: `true` once a capability settlement's reference is given back
 */
export function releaseSettlement(settlement: Settlement | undefined, capabilityReleased: boolean): boolean {
  if (settlement === undefined) return capabilityReleased;
  if (settlement.kind === 'value') {
    releaseCarriedCapabilities(settlement.value);
    return capabilityReleased;
  }
  if (settlement.kind !== 'capability' || capabilityReleased) return capabilityReleased;
  settlement.handler.release();
  return true;
}
