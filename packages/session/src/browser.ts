/**
 * @msc/session's API, and its `browser` entry: everything `@msc/session` exports, without the
 * stream part (stream-part.ts), listening (listening-part.ts), resumption (resume/resume-part.ts),
 * the call context part (call-context-part.ts), authentication (authentication-part.ts), logging
 * (logging-part.ts) or values mode (value-mode.ts) installed, so a page that never sends or receives
 * a stream, never listens, never resumes a session, never reads the context of a call from its peer,
 * authenticates with `unauthenticated()` only, gives its scope no logger, or never talks over a
 * MessagePort, does not carry them. A page that does calls {@link enableStreams},
 * {@link enableListening}, {@link enableResumption}, {@link enableCallContext},
 * {@link enableAuthentication}, {@link enableLogging} or {@link enableMessagePortValues} once before
 * its first session (`identityAuthenticator()` of `@msc/identity` enables authentication itself).
 * The Node (default) entry, `index.ts`, is this list with the first six enabled (and call tracing)
 * when it loads; values mode is opt-in there too.
 *
 * @packageDocumentation
 */

export type { LogEvent, Logger } from '@msc/transport';
export type { AuthenticationContext, Authenticator, SessionRole } from './authenticator.ts';
export { AuthenticationError, unauthenticated } from './authenticator.ts';
export type { CallOutcome, CallSpan, CallTracer, TracedCall, TracedSession } from './call-tracer.ts';
export { enableCallTracing, installCallTracer } from './call-tracing.ts';
export { enableAuthentication } from './enable-authentication.ts';
export { enableCallContext } from './enable-call-context.ts';
export { enableListening } from './enable-listening.ts';
export { enableLogging } from './enable-logging.ts';
export { enableMessagePortValues } from './enable-message-port-values.ts';
export { enableResumption } from './enable-resumption.ts';
export { enableStreams } from './enable-streams.ts';
export { registerEventualErrors } from './error-registration.ts';
export { jsonLinesTraceSink } from './json-lines-trace-sink.ts';
export { defaultSessionLimits, type SessionLimitOverrides, type SessionLimits } from './limits.ts';
export { traceMessages } from './message-tracer.ts';
export { remoteIdentity } from './remote-identity.ts';
export {
  defaultMaxParkedBytes,
  defaultMaxParkedSessions,
  ParkedSessions,
  type ParkedSessionsOptions,
} from './resume/parked-sessions.ts';
export { ResumeRefusedError } from './resume/resume-exchange.ts';
export {
  defaultResumeOptions,
  type ResumeEvent,
  type ResumeOptions,
  type ResumeStatus,
} from './resume/resume-options.ts';
export type { ResumeRefusal } from './resume/resume-refusal.ts';
export { Scope, type ScopeOptions, type ScopeResumeOptions, type ScopeStats } from './scope.ts';
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
export { resumptionVersion, supportedVersions } from './wire/protocol.ts';
