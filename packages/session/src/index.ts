/**
 * @msc/session: the MSC session protocol (RPC5). A session turns one transport connection into the
 * programming model of `@msc/eventual`: the peer's root capability is a `Proxy<I>` like any local
 * one, with pipelining, instance order (including the loopback case), capability exchange in both
 * directions, release and well-defined termination. Scopes own sessions.
 *
 * @example
 * ```ts
 * import { proxy } from '@msc/eventual';
 * import { Scope, unauthenticated } from '@msc/session';
 * import { memory } from '@msc/transport-memory';
 *
 * interface IGreeter { greet(name: string): Promise<string> }
 * class Greeter implements IGreeter { async greet(name: string) { return `hello ${name}`; } }
 *
 * const transport = memory();
 * await using server = new Scope({ transport, authenticator: unauthenticated(), root: proxy<IGreeter>(new Greeter()) });
 * await server.listen('memory:greeter');
 * await using client = new Scope({ transport, authenticator: unauthenticated() });
 * const greeter = client.connect<IGreeter>('memory:greeter');
 * console.log(await greeter.greet('world')); // "hello world"
 * ```
 *
 * @packageDocumentation
 */

export type { LogEvent, Logger } from '@msc/transport';
export type { AuthenticationContext, Authenticator, SessionRole } from './authenticator.ts';
export { AuthenticationError, unauthenticated } from './authenticator.ts';
export { registerEventualErrors } from './error-registration.ts';
export { jsonLinesTraceSink } from './json-lines-trace-sink.ts';
export { defaultSessionLimits, type SessionLimitOverrides, type SessionLimits } from './limits.ts';
export { traceMessages } from './message-tracer.ts';
export { remoteIdentity } from './remote-identity.ts';
export { Scope, type ScopeOptions, type ScopeStats } from './scope.ts';
export { Session } from './session.ts';
export {
  SessionError,
  type SessionErrorCode,
  type SessionStep,
  type TerminationReason,
} from './session-error.ts';
export type { RootOption, SessionOptions, SessionStats } from './session-options.ts';
export {
  memoryTraceSink,
  type SessionTracer,
  type TraceEvent,
  type TraceFields,
  type TraceLevel,
  type TraceOptions,
  type TraceSink,
  type Tracing,
} from './trace.ts';
export { supportedVersions } from './wire/protocol.ts';
