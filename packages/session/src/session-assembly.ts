import { isCapability } from '@msc/eventual';
import { type CapabilityHandler, takeReference } from '@msc/eventual/handler';
import { defaultRegistry } from '@msc/serialization';
import type { Connection } from '@msc/transport';
import { authenticationFor } from './authentication-part.ts';
import type { Authenticator } from './authenticator.ts';
import { callTracingOf } from './call-tracer.ts';
import { earlyDecoding, sharedCodec } from './capability-codec.ts';
import { registerEventualErrors } from './error-registration.ts';
import { Handshake, type HandshakePort } from './handshake.ts';
import { resolveLimits } from './limits.ts';
import { type ResumableConnection, resumableConnectionOf } from './resume/resume-part.ts';
import type { SessionOptions } from './session-options.ts';
import { type PartsPort, SessionParts } from './session-parts.ts';
import type { SessionTracer } from './trace.ts';
import { attachValues, type ValuesChannel } from './value-mode.ts';
import { supportedVersions } from './wire/protocol.ts';

/**
 * What {@link assembleSession} makes of a session's options, each piece kept by the session: the
 * connection it speaks over (the resumable one with `resume`, docs/resumption.md), that resumable
 * connection, the session's own reference to a fixed root (released when the session ends), the
 * tracer, the frame cap (the session's limit, or the connection's if lower), the working parts, the
 * values channel (when enabled and the connection carries values) and the establishment. A tuple,
 * not a record: its names would cost the minimal browser client bytes that a tuple's do not.
 */
export type SessionAssembly = readonly [
  connection: Connection,
  resumable: ResumableConnection | undefined,
  rootHandler: CapabilityHandler | undefined,
  tracer: SessionTracer | undefined,
  maxFrameBytes: number,
  parts: SessionParts,
  values: ValuesChannel | undefined,
  handshake: Handshake,
];

/**
 * Puts a session together from its options, once, in its constructor: the limits, the connection,
 * the codec registry, the working parts (`session-parts.ts`), the values channel and the
 * establishment (`handshake.ts`). `port` is the session, the port of every part it makes; nothing
 * here calls it yet (the parts and the handshake only keep it), so the session may assign the pieces
 * after this returns.
 *
 * Ownership: the root reference taken here is the session's, released when it ends.
 *
 * @throws RangeError when a limit is not a positive integer
 * @throws TypeError naming `enableAuthentication()` when the authenticator cannot run without it
 */
export function assembleSession(
  options: SessionOptions<unknown>,
  port: PartsPort & HandshakePort,
): SessionAssembly {
  const authenticator = options.authenticator as Authenticator<unknown>;
  // Before any reference is taken: a program without authentication refuses other authenticators here.
  const exchange = authenticationFor(authenticator);
  const limits = resolveLimits(options.limits);
  // With `resume` the connection is the resumable one for the session's whole life (docs/resumption.md).
  const resumable = resumableConnectionOf(options, limits.handshakeTimeoutMs);
  const connection = resumable ?? options.connection;
  const root = options.root;
  // Take our own reference now: the caller may dispose its root proxy as soon as the session exists.
  const rootHandler = isCapability(root) ? takeReference(root) : undefined;
  const tracer = options.trace?.startSession(connection);
  const registry = options.registry ?? defaultRegistry;
  registerEventualErrors(registry);
  const maxFrameBytes = Math.min(limits.maxFrameBytes, connection.maxFrameBytes);
  const errorStacks = options.errorStacks ?? false;
  const codec = sharedCodec(registry, maxFrameBytes, limits.maxDepth, errorStacks);
  const parts = new SessionParts(
    port,
    connection,
    options.role,
    limits,
    maxFrameBytes,
    codec,
    tracer,
    callTracingOf(options.callTracer, port),
  );
  // A resumable connection replays bytes it numbered: it carries no values (values mode stays off).
  const values =
    resumable === undefined
      ? attachValues(
          options.connection,
          parts.capabilities,
          registry,
          maxFrameBytes,
          limits.maxDepth,
          errorStacks,
          tracer,
        )
      : undefined;
  const handshake = new Handshake(
    {
      connection,
      role: options.role,
      authenticator,
      exchange,
      chooseRoot: typeof root === 'function' && rootHandler === undefined ? root : undefined,
      rootHandler,
      versions: options.versions ?? resumable?.versions ?? supportedVersions,
      resumable,
      limits,
      tracer,
      // Frames before this side's Configure decode with the handshake's limits and budget
      // (docs/limits.md); both are dropped once the Configure is out.
      early: earlyDecoding(
        registry,
        Math.min(limits.maxHandshakeFrameBytes, maxFrameBytes),
        limits.maxDepth,
        errorStacks,
      ),
      values: values !== undefined,
    },
    port,
  );
  return [connection, resumable, rootHandler, tracer, maxFrameBytes, parts, values, handshake];
}
