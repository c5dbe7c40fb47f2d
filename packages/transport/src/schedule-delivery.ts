import { nodeNextTick } from './node-next-tick.ts';

/**
 * A function that runs `deliver` later, never synchronously. Transports use it to move frame delivery out of the
 * sender's stack; tests can pass their own to control exactly when deliveries happen (seeded, replayable runs).
 */
export type DeliveryScheduler = (deliver: () => void) => void;

/**
 * How many deliveries may run as microtasks before one has to wait for a macrotask. A same-thread ping-pong of
 * deliveries would otherwise chain microtasks forever and starve timers and I/O.
 */
const microtaskBudget = 1024;

/** Schedules microtasks without `queueMicrotask`'s per-callback async-context wrapping in Node (cheaper per frame). */
const resolved = Promise.resolve();

/** Node's `process.nextTick`; `undefined` in browsers, even a page with a `process` polyfill. */
const nextTick = nodeNextTick(globalThis);

/**
 * Runs `task` once the microtasks already queued, and those they queue in turn, have run, when called from a
 * microtask: on Node a `process.nextTick`, which Node runs only once the microtask queue is empty; elsewhere a
 * plain microtask (queued behind the ones already waiting). Called from synchronous code outside any microtask,
 * Node runs it before the microtasks waiting. Writers use it to gather everything one turn sends into one write: a
 * session's replies to a pipelined chain settle over several microtasks of the same turn.
 */
export const afterMicrotasks: (task: () => void) => void =
  nextTick ??
  ((task) => {
    void resolved.then(task);
  });

let microtasksThisTurn = 0;
let budgetResetScheduled = false;

/** Runs `task` after the current macrotask (setImmediate on Node, a zero timeout elsewhere). */
export const macrotask: (task: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (task) => {
        globalThis.setImmediate(task);
      }
    : (task) => {
        setTimeout(task, 0);
      };

function resetBudget(): void {
  microtasksThisTurn = 0;
  budgetResetScheduled = false;
}

/**
 * The default {@link DeliveryScheduler}: a microtask while the current turn of the event loop has budget left (low
 * latency: a frame is delivered before the next I/O poll), a macrotask once {@link microtaskBudget} deliveries ran
 * as microtasks without the event loop getting a turn (so a busy same-thread exchange cannot starve I/O and
 * timers). The budget is shared by every connection in the realm and refills when a macrotask runs.
 */
export const scheduleDelivery: DeliveryScheduler = (deliver) => {
  if (microtasksThisTurn < microtaskBudget) {
    microtasksThisTurn++;
    if (!budgetResetScheduled) {
      budgetResetScheduled = true;
      macrotask(resetBudget);
    }
    // `deliver` never throws (the inbox reports a receiver's error itself), so no rejection can go unhandled.
    void resolved.then(deliver);
  } else {
    macrotask(deliver);
  }
};
