import { AbortedError, isCapability, type Proxy } from '@msc/eventual';
import {
  createProxy,
  handlerOf,
  PromiseHandler,
  type ResultHandler,
  takeReference,
} from '@msc/eventual/handler';
import type { ContractRegistry } from '@msc/serialization';
import type { Connection, Listener, Logger, Transport } from '@msc/transport';
import { authenticationFor } from './authentication-part.ts';
import type { Authenticator } from './authenticator.ts';
import type { CallTracer } from './call-tracer.ts';
import type { SessionLimitOverrides } from './limits.ts';
import { listenersFor, type ScopeListeners } from './listening-part.ts';
import { loggingFor, type SessionEndLog } from './logging-part.ts';
import type { ParkedSessions, ParkedSessionsOptions } from './resume/parked-sessions.ts';
import type { ResumeEvent, ResumeOptions } from './resume/resume-options.ts';
import { createParkedSessions, scopeSessionResume } from './resume/resume-part.ts';
import { Session } from './session.ts';
import type { RootOption } from './session-options.ts';
import type { Tracing } from './trace.ts';
import { describeError } from './wire/violations.ts';

/** How a {@link Scope} makes its sessions. */
export interface ScopeOptions<Peer = unknown> {
  /** The transport to listen and dial on. */
  readonly transport: Transport;
  /** The authentication scheme of every session (required; `unauthenticated()` is the explicit opt-out). */
  readonly authenticator: Authenticator<Peer>;
  /** The root capability offered to each peer, or a function choosing it per peer. Default: `Nothing`. */
  readonly root?: RootOption<Peer> | undefined;
  /** Aborting it ends the scope and all its sessions. */
  readonly signal?: AbortSignal | undefined;
  /** Protocol limits for every session. */
  readonly limits?: SessionLimitOverrides | undefined;
  /** Data contracts and error classes. */
  readonly registry?: ContractRegistry | undefined;
  /** Whether errors sent to peers carry their stacks. Default false. */
  readonly errorStacks?: boolean | undefined;
  /** Message tracing for every session (`traceMessages()`). Default: none. */
  readonly trace?: Tracing | undefined;
  /**
   * Call tracing for every session (`SessionOptions.callTracer`; `@msc/opentelemetry` makes one).
   * Default: the tracer `installCallTracer()` installed, else none.
   */
  readonly callTracer?: CallTracer | null | undefined;
  /**
   * Called for each session the scope makes (accepted or dialed), once it exists. With `resume`, a
   * connection that resumes a parked session is accepted as any other, so it is reported too: its
   * session ends at once (code `closed`, not logged) when its first frame hands the connection to
   * the session it resumes; the resume itself is told through `resume.onEvent` (`resumed`).
   */
  readonly onSession?: ((session: Session<Peer>) => void) | undefined;
  /**
   * The most sessions each listener of the scope has in their handshake at once (accepted, not yet established).
   * A connection that arrives at the limit is aborted at once, before any byte of it is read or a session is made,
   * and counted in `stats().refused`; a place frees up when a session is established or ends. Each pending session
   * lasts at most `limits.handshakeTimeoutMs`. Default 128.
   */
  readonly maxPendingSessions?: number | undefined;
  /**
   * Where the scope reports sessions refused (a full listener, the authenticator's refusal), failed
   * handshakes, limits hit and sessions ended abnormally, as structured events (see `Logger` of
   * `@msc/transport`; `console` and pino plug in as they are). Sessions ended on purpose are not
   * logged. Default: nothing is logged. On `@msc/session`'s browser entry a page calls
   * `enableLogging()` before making a scope with one.
   */
  readonly logger?: Logger | undefined;
  /**
   * Sessions that survive a network blip (docs/resumption.md): a session whose connection drops is
   * parked for `graceMs`; the dialing side reconnects to the same address and resumes. Both sides
   * must have it (a peer without it is served as before, without resumption). Default: none.
   */
  readonly resume?: ScopeResumeOptions<Peer> | undefined;
}

/**
 * Resumption for every session of a scope (docs/resumption.md): the session options less what the
 * scope supplies (the dialer's `dial` to the same address, the listener's `ParkedSessions`), the
 * bounds of the scope's parked sessions, and events that name their session.
 */
export interface ScopeResumeOptions<Peer = unknown>
  extends Omit<ResumeOptions<Peer>, 'dial' | 'parkedSessions' | 'onEvent'>,
    ParkedSessionsOptions {
  /** Told each event of each session, with the session (exceptions it throws are ignored). */
  readonly onEvent?: ((event: ResumeEvent, session: Session<Peer>) => void) | undefined;
}

/** Default {@link ScopeOptions.maxPendingSessions}: 128 per listener. */
const defaultMaxPendingSessions = 128;

/** Counters of a {@link Scope}, from `scope.stats()`. */
export interface ScopeStats {
  /** Sessions alive now (pending ones included). */
  readonly sessions: number;
  /** Accepted sessions still in their handshake, over all listeners. */
  readonly pending: number;
  /** Connections aborted on arrival because their listener had `maxPendingSessions` pending, since the scope began. */
  readonly refused: number;
}

/**
 * Owns sessions (RPC5 "session scopes", docs/semantics.md#scopes): it listens and accepts, or
 * connects, and every session it makes ends when the scope ends, by `close()`, `await using`, or
 * its signal.
 *
 * @example
 * ```ts
 * await using scope = new Scope({ transport: memory(), authenticator: unauthenticated(), root: lobby });
 * await scope.listen('memory:lobby');
 * const remote = scope.connect<ILobby>('memory:lobby'); // usable at once
 * ```
 */
export class Scope<Peer = unknown> implements AsyncDisposable {
  // `any`: the options only ever meet this scope's peers; keeps `Scope<P>` assignable to `Scope<unknown>`.
  readonly #options: ScopeOptions<any>;
  readonly #sessions = new Set<Session<Peer>>();
  readonly #dials = new Set<AbortController>();
  readonly #abort = new AbortController();
  /** The scope's own reference to a fixed root (the caller may dispose theirs), released at the end. */
  readonly #root: Proxy<unknown> | undefined;
  #closing: Promise<void> | undefined;
  readonly #maxPendingSessions: number;
  /** Its listeners, made by the first `listen()` (listening-part.ts). */
  #listeners: ScopeListeners | undefined;
  /** The listeners' resumable sessions, when the scope has `resume`. */
  readonly #parked: ParkedSessions | undefined;
  /** How its sessions' ends are logged, when the scope has a `logger` (logging-part.ts). */
  readonly #logEnd: SessionEndLog | undefined;

  /**
   * @throws DisposedError when `options.root` is a proxy that was already disposed
   * @throws RangeError when `options.maxPendingSessions` is not a whole number of 1 or more
   * @throws TypeError naming `enableAuthentication()` when the authenticator is not
   *   `unauthenticated()`'s and authentication is not enabled (the browser entry)
   * @throws TypeError naming `enableLogging()` for a `logger` when logging is not enabled (the
   *   browser entry)
   */
  constructor(options: ScopeOptions<Peer>) {
    // Told now, not at the first session.
    authenticationFor(options.authenticator as Authenticator<unknown>);
    this.#logEnd = loggingFor(options.logger);
    const maxPendingSessions = options.maxPendingSessions ?? defaultMaxPendingSessions;
    if (!Number.isInteger(maxPendingSessions) || maxPendingSessions < 1) {
      throw new RangeError(
        `expected maxPendingSessions to be a whole number of 1 or more, but got ${maxPendingSessions}`,
      );
    }
    this.#maxPendingSessions = maxPendingSessions;
    this.#options = options;
    const resume = options.resume;
    this.#parked =
      resume === undefined
        ? undefined
        : createParkedSessions({
            maxParkedSessions: resume.maxParkedSessions,
            maxParkedBytes: resume.maxParkedBytes,
          });
    const root = options.root;
    if (isCapability(root)) {
      // The scope holds its own reference (a handed-off root's reference moves to it).
      this.#root = createProxy(takeReference(root)) as Proxy<unknown>;
    }
    if (options.signal?.aborted) {
      void this.close();
    } else {
      options.signal?.addEventListener('abort', () => void this.close(), { once: true });
    }
  }

  /** The sessions alive now. */
  get sessions(): ReadonlySet<Session<Peer>> {
    return this.#sessions;
  }

  /** How many sessions are alive and pending, and how many connections were refused at the pending limit. */
  stats(): ScopeStats {
    const listeners = this.#listeners;
    return {
      sessions: this.#sessions.size,
      pending: listeners?.pending ?? 0,
      refused: listeners?.refused ?? 0,
    };
  }

  /** Whether the scope has ended (or is ending). */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Listens on `address` and starts a session for every connection accepted, until the scope ends.
   *
   * @returns the listener (its `address` has the real port when listening on port 0)
   * @throws what the transport throws for a bad or busy address; Error when the scope has ended;
   *   TypeError naming `enableListening()` when listening is not enabled (the browser entry)
   */
  async listen(address: string): Promise<Listener> {
    this.#checkOpen();
    this.#listeners ??= listenersFor({
      ended: () => this.#closing !== undefined,
      maxPendingSessions: this.#maxPendingSessions,
      logger: this.#options.logger,
      transport: this.#options.transport,
      signal: this.#abort.signal,
      /** @internal */
      startSession_: (connection) => this.#startSession(connection, 'listener'),
    });
    return this.#listeners.listen(address);
  }

  /**
   * Connects to `address` and returns the peer's root capability at once: calls made on it are sent
   * when the session is established. If dialing or establishment fails, they (and the proxy's
   * `whenResolved`) reject with `AbortedError`, whose `cause` is the `DialError` or `SessionError`.
   */
  connect<I>(address: string): Proxy<I> {
    const root = new PromiseHandler();
    const proxy = createProxy(root) as Proxy<I>;
    void this.session(address).then(
      (session) => {
        root.follow(remoteRootHandler(session));
      },
      (error: unknown) => {
        // Calls on the root span a session that never came to be: they abort, with why as cause.
        // A dial error already names the address (say it once); a session error does not.
        const reason = describeError(error);
        const message = reason.includes(address) ? reason : `could not connect to ${address}: ${reason}`;
        root.settle({ kind: 'error', error: new AbortedError(message, { cause: error }) });
      },
    );
    return proxy;
  }

  /**
   * Connects to `address` and resolves with the session once it is established.
   *
   * @throws DialError when the connection cannot be made; SessionError when establishment fails
   */
  async session(address: string): Promise<Session<Peer>> {
    const connection = await this.#dial(address);
    if (this.#closing !== undefined) {
      connection.abort(new Error('the scope has ended'));
      throw new Error('the scope ended while connecting');
    }
    const session = this.#startSession(connection, 'dialer', address);
    await session.established;
    return session;
  }

  /**
   * Ends the scope: stops listening, cancels dials in progress and terminates every session (their
   * peers are told why). Resolves once all sessions have ended. Idempotent.
   */
  close(reason = 'the scope ended'): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort(new Error(reason));
      for (const dial of this.#dials) dial.abort(new Error(reason));
      const listeners = this.#listeners?.close() ?? [];
      const sessions = [...this.#sessions].map((session) => session.terminate(reason));
      await Promise.allSettled([...listeners, ...sessions]);
      this.#root?.[Symbol.dispose]();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #startSession(connection: Connection, role: 'dialer' | 'listener', address?: string): Session<Peer> {
    const options = this.#options;
    let session!: Session<Peer>;
    session = new Session<Peer>({
      connection,
      role,
      authenticator: options.authenticator,
      // The scope ends its sessions itself (with its reason), so they get no signal of their own.
      root: this.#root ?? options.root,
      // Unset options stay unset (undefined is no override).
      limits: options.limits,
      registry: options.registry,
      errorStacks: options.errorStacks,
      trace: options.trace,
      callTracer: options.callTracer,
      // The listener's session parks here; the dialer's redials the same address.
      ...(options.resume !== undefined
        ? {
            resume: scopeSessionResume(
              options.resume,
              role === 'listener' ? this.#parked! : (signal) => this.#dial(address!, signal),
              () => session,
            ),
          }
        : {}),
    });
    this.#sessions.add(session);
    const logEnd = this.#logEnd;
    const remoteAddress = connection.remoteAddress;
    void session.closed.then((reason) => {
      this.#sessions.delete(session);
      if (logEnd !== undefined) logEnd(options.logger!, reason, role, remoteAddress, options.limits ?? {});
    });
    options.onSession?.(session);
    return session;
  }

  /** Dials `address` while the scope is open; the scope's end (or `signal`) cancels the dial. */
  async #dial(address: string, signal?: AbortSignal): Promise<Connection> {
    this.#checkOpen();
    const dial = new AbortController();
    const abort = () => dial.abort(signal!.reason);
    signal?.addEventListener('abort', abort, { once: true });
    this.#dials.add(dial);
    try {
      return await this.#options.transport.dial(address, { signal: dial.signal });
    } finally {
      this.#dials.delete(dial);
      signal?.removeEventListener('abort', abort);
    }
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) throw new Error('the scope has ended');
  }
}

/** The handler of a session's remote root, with one reference for the caller. */
function remoteRootHandler<Peer>(session: Session<Peer>) {
  const root = session.remoteRoot<unknown>();
  // Take the proxy's reference over: follow() owns it from here.
  return proxyHandlerTakeover(root);
}

function proxyHandlerTakeover(proxy: Proxy<unknown>): ResultHandler {
  const handler = handlerOf(proxy)! as ResultHandler;
  handler.retain();
  proxy[Symbol.dispose]();
  return handler;
}
