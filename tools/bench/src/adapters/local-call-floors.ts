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

/** A call the proxy floor queued: the method's name and arguments as they were given, and how to answer. */
interface NamedCall {
  readonly name: string;
  readonly args: unknown[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Wraps `target` in a `Proxy` on which any string name is a method, as a capability proxy must be:
 * the proxy knows no method up front, so a call carries its name and its argument list to the
 * queue, and the dispatch looks the name up on the target and applies the list. The function a name
 * reads is made once and kept for the last name read (one name here). Answers are pipelinable.
 */
function proxiedTarget(target: object): Adder {
  let queue: NamedCall[] = [];
  let scheduled = false;
  const resolved = Promise.resolve();
  const drain = () => {
    const calls = queue;
    queue = [];
    scheduled = false;
    for (const call of calls) {
      const method = (target as Record<string, unknown>)[call.name];
      if (typeof method !== 'function') {
        call.reject(new TypeError(`no method ${call.name}`));
        continue;
      }
      (method.apply(target, call.args) as Promise<unknown>).then(call.resolve, call.reject);
    }
  };
  let resolve: (value: unknown) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const capture = (onValue: (value: unknown) => void, onError: (error: unknown) => void) => {
    resolve = onValue;
    reject = onError;
  };
  const call = (name: string, args: unknown[]): Promise<unknown> => {
    const promise = new PipelinablePromise<unknown>(capture);
    queue.push({ name, args, resolve, reject });
    if (!scheduled) {
      scheduled = true;
      void resolved.then(drain);
    }
    return promise;
  };
  let lastName: string | undefined;
  let lastMethod: ((...args: unknown[]) => Promise<unknown>) | undefined;
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key !== 'string') return undefined;
        if (key !== lastName) {
          lastName = key;
          lastMethod = (...args: unknown[]) => call(key, args);
        }
        return lastMethod;
      },
    },
  ) as Adder;
}

/**
 * The local-call floors: `proxied` through a proxy that carries any method's name and arguments,
 * `pipelinable` and `plain` through a wrapper that knows `add` (see `floor-local-calls.ts`).
 */
export type LocalCallFloor = 'proxied' | 'pipelinable' | 'plain';

/**
 * Times `calls` calls on a plain `Adder` and through a floor's queued one (see
 * `local-call-timing.ts`).
 */
export function timeQueuedCalls(
  floor: LocalCallFloor,
  calls: number,
  repetitions: number,
  mode: 'sequential' | 'in-flight',
): Promise<LocalCallTimes> {
  const local =
    floor === 'proxied'
      ? proxiedTarget(new Adder())
      : queuedAdder(
          new Adder(),
          (floor === 'pipelinable' ? PipelinablePromise : Promise) as PromiseConstructor,
        );
  return timeLocalCalls(local, calls, repetitions, mode);
}
