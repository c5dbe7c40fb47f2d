import { createProxy, createResult } from '../facade/facade.ts';
import { PromiseHandler } from '../handlers/promise-handler.ts';
import { settleWith } from '../handlers/settle-with.ts';
import type { Proxy, Result } from './proxy-types.ts';

/**
 * The resolving end of an eventual value made by hand. `promise` is awaitable and, when the value
 * will be a capability, pipelinable: calls made on it before `resolve` are queued and delivered in
 * order once it resolves.
 *
 * @example
 * ```ts
 * const room = new Resolver<Proxy<IRoom>>();
 * const pending = room.proxy().chat('hi');  // queued
 * room.resolve(proxy<IRoom>(new Room()));   // 'hi' is delivered now
 * ```
 */
export class Resolver<T> {
  readonly #handler = new PromiseHandler();
  /** The eventual value. */
  readonly promise: Result<T>;

  constructor() {
    // The result facade owns the handler's first reference; `proxy()` instances add their own.
    this.promise = createResult(this.#handler) as Result<T>;
  }

  /** A capability proxy instance for the value (when it will be a capability). */
  proxy(): T extends Proxy<infer I> ? Proxy<I> : never {
    this.#handler.retain();
    return createProxy(this.#handler) as never;
  }

  /** Whether `resolve` or `reject` has been called. */
  get settled(): boolean {
    return this.#handler.isSettled || this.#settling;
  }
  #settling = false;

  /**
   * Resolves with a value, a capability, a call result (followed) or a promise (awaited). As a
   * method's return does, it gives what it resolves with away: a proxy's reference (or those inside
   * data) moves into the promise and your instance ends; resolve with `proxy(p)` to keep yours.
   * Later calls to `resolve` or `reject` are ignored.
   */
  resolve(value: T | PromiseLike<T>): void {
    if (this.settled) return;
    this.#settling = true;
    settleWith(this.#handler, value);
  }

  /** Rejects; calls pipelined on the promise reject with the same error. */
  reject(error: unknown): void {
    if (this.settled) return;
    this.#settling = true;
    this.#handler.settle({ kind: 'error', error });
  }
}
