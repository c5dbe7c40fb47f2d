import type { Proxy } from '@msc/eventual';
import type { ContractRegistry } from '@msc/serialization';
import type { Connection } from '@msc/transport';
import type { Authenticator, SessionRole } from './authenticator.ts';
import type { CallTracer } from './call-tracer.ts';
import type { SessionLimitOverrides } from './limits.ts';
import type { ResumeOptions } from './resume/resume-options.ts';
import type { Tracing } from './trace.ts';

/**
 * The root capability a side offers: a proxy, or a function that chooses one after seeing the
 * peer's authenticated identity (docs/semantics.md#root-capability). `undefined` offers `Nothing`.
 */
export type RootOption<Peer> =
  | Proxy<unknown>
  | ((peer: Peer) => Proxy<unknown> | Promise<Proxy<unknown>>)
  | undefined;

/** How a `Session` is made. Sessions are usually made by a `Scope`. */
export interface SessionOptions<Peer = unknown> {
  /** The transport connection; the session takes ownership of it (it closes it when it ends). */
  readonly connection: Connection;
  /** Which end of the connection this side is. */
  readonly role: SessionRole;
  /** The authentication scheme (required: there is no silent unauthenticated fallback). */
  readonly authenticator: Authenticator<Peer>;
  /** The root capability this side offers. Default: `Nothing`. */
  readonly root?: RootOption<Peer> | undefined;
  /** Protocol limits (defaults in `defaultSessionLimits`). */
  readonly limits?: SessionLimitOverrides | undefined;
  /** Data contracts and error classes known to this side. Default: the serializer's default registry. */
  readonly registry?: ContractRegistry | undefined;
  /** Whether errors sent to the peer carry their stacks. Default false. */
  readonly errorStacks?: boolean | undefined;
  /** Message tracing (`traceMessages()`). Default: none. */
  readonly trace?: Tracing | undefined;
  /**
   * Tracing of the session's calls (call-tracer.ts, docs/semantics.md#trace-context): a client span
   * per call it sends and a server span per call it dispatches, linked across sessions by W3C trace
   * context in each call's context field. `@msc/opentelemetry` makes one. `null` turns off a tracer
   * installed with `installCallTracer()`. Default: that one, else none (the call path is unchanged).
   */
  readonly callTracer?: CallTracer | null | undefined;
  /** Aborting it terminates the session. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Resumption (docs/resumption.md): the session survives a dropped connection for a grace window
   * when the peer offers it too. Default: none (a dropped connection ends the session).
   */
  readonly resume?: ResumeOptions<Peer> | undefined;
  /** Protocol versions to offer (tests use it to exercise negotiation). Default: all supported. */
  readonly versions?: readonly number[] | undefined;
}

/** Table sizes of a session, for leak checks and diagnostics. */
export interface SessionStats {
  /** Calls this side made that have not returned. */
  readonly questions: number;
  /** Calls the peer made that it has not finished. */
  readonly answers: number;
  /**
   * Capabilities this side holds from the peer, plus the promises it released whose `Resolve` has
   * not arrived yet (tombstones: they count against `maxImports` too).
   */
  readonly imports: number;
  /** Capabilities the peer holds from this side. */
  readonly exports: number;
  /** Loopback embargoes waiting for their reply. */
  readonly embargoes: number;
  /** Wire streams (sequences and byte streams) spanning the session. */
  readonly streams: number;
}
