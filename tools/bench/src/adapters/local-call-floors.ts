/**
 * The local-call floors' calls (see `floor-local-calls.ts`): the least any local capability with
 * top-of-turn dispatch must do. Imported through `importUnnamed` (plain JavaScript, names
 * untouched), as the library it is compared with runs from its build.
 */
import type { LocalCallTimes } from '../adapter.ts';
import { Adder, timeLocalCalls } from './local-call-timing.ts';

/** A call waiting in the queue: what to run and how to answer. */
interface QueuedCall {
  readonly a: number;
  readonly b: number;
  readonly resolve: (value: number) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A native promise on which any string name is a method (doing nothing here), laid out as a
 * pipelining library must lay it out (see `floor-local-calls.ts`).
 */
class PipelinablePromise<T> extends Promise<T> {}
Object.defineProperties(PipelinablePromise.prototype, {
  constructor: {
    get() {
      return Promise;
    },
    configurable: true,
  },
  // biome-ignore lint/suspicious/noThenProperty: the native `then`, found before the proxy below
  then: { value: Promise.prototype.then },
});
const doNothing = () => {};
Object.setPrototypeOf(
  PipelinablePromise.prototype,
  new Proxy(Object.create(Promise.prototype) as object, {
    get: (target, key, receiver) =>
      typeof key === 'string' ? doNothing : Reflect.get(target, key, receiver),
  }),
);

/** Wraps `target` so every `add` is queued and dispatched from a later microtask. */
function queuedAdder(target: Adder, Answer: PromiseConstructor): Adder {
  let queue: QueuedCall[] = [];
  let scheduled = false;
  const resolved = Promise.resolve();
  const drain = () => {
    const calls = queue;
    queue = [];
    scheduled = false;
    for (const call of calls) target.add(call.a, call.b).then(call.resolve, call.reject);
  };
  // Where the executor leaves the resolving functions: no closure per call.
  let resolve: (value: number) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const capture = (onValue: (value: number) => void, onError: (error: unknown) => void) => {
    resolve = onValue;
    reject = onError;
  };
  return {
    add(a: number, b: number): Promise<number> {
      const promise = new Answer<number>(capture);
      queue.push({ a, b, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        void resolved.then(drain);
      }
      return promise;
    },
  };
}

/**
 * Times `calls` calls on a plain `Adder` and through a queued one whose answers are pipelinable
 * promises or plain ones (see `local-call-timing.ts`).
 */
export function timeQueuedCalls(
  answers: 'pipelinable' | 'plain',
  calls: number,
  repetitions: number,
  mode: 'sequential' | 'in-flight',
): Promise<LocalCallTimes> {
  const Answer = (answers === 'pipelinable' ? PipelinablePromise : Promise) as PromiseConstructor;
  return timeLocalCalls(queuedAdder(new Adder(), Answer), calls, repetitions, mode);
}
