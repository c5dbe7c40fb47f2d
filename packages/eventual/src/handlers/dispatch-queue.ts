/**
 * One FIFO of local dispatches for the whole thread (docs/semantics.md#top-of-turn-dispatch,
 * #instance-order). A call on a local capability is queued here and dispatched from a microtask, so
 * it never runs inside the caller's stack; because there is one queue in call order, calls on one
 * proxy instance are dispatched in the order they were made. The queue is drained completely before
 * the microtask returns.
 */

/** A unit of work run at the top of a later turn. */
export interface Dispatch {
  run(): void;
}

let queue: Dispatch[] = [];
let scheduled = false;
// A resolved promise schedules the drain as a plain microtask (cheaper than `queueMicrotask`,
// which wraps every callback for async-context tracking in Node).
const resolved = Promise.resolve();

function drain(): void {
  // Dispatches queued while draining run in the same drain, after everything queued before them.
  const current = queue;
  let head = 0;
  while (head < current.length) {
    const dispatch = current[head++]!;
    try {
      dispatch.run();
    } catch (error) {
      // `run` reports failures through results; anything escaping is a bug, surfaced like any
      // uncaught error but without killing the rest of the queue.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  queue = [];
  scheduled = false;
}

/** Queues `dispatch` to run at the top of a later turn, after every dispatch queued before it. */
export function enqueueDispatch(dispatch: Dispatch): void {
  queue.push(dispatch);
  if (!scheduled) {
    scheduled = true;
    void resolved.then(drain);
  }
}
