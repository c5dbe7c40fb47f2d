/**
 * `@msc/eventual/context`: per-call cancellation and deadlines (docs/semantics.md#call-context).
 * A caller scopes its calls with {@link withOptions} (a signal, a timeout or deadline, a trace); a
 * callee reads the call it serves with {@link callContext}. A call whose signal fires rejects with
 * {@link CallAbortError}, one whose deadline passes with {@link CallTimeoutError}; a session carries
 * both across the wire. Programs that never cancel or time out a call do not import this entry.
 *
 * @example
 * ```ts
 * import { proxy } from '@msc/eventual';
 * import { CallTimeoutError, withOptions } from '@msc/eventual/context';
 *
 * const slow = proxy({ async wait(ms: number) { await new Promise((done) => setTimeout(done, ms)); } });
 * const error = await withOptions(slow, { timeoutMs: 10 }).wait(1_000).then(() => undefined, (e: unknown) => e);
 * console.log(error instanceof CallTimeoutError); // true
 * ```
 *
 * @packageDocumentation
 */

export type { CallContext, CallOptions, TraceContext } from './context/call-context.ts';
export { callContext } from './context/callee-context.ts';
export { CallAbortError, CallTimeoutError } from './errors.ts';
export { withOptions } from './proxies/with-options.ts';
