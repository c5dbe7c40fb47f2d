import { type AbortedError, isCapability, nothing, type Proxy } from '@msc/eventual';
import { type CapabilityHandler, createProxy, handlerOf, PromiseHandler } from '@msc/eventual/handler';
import type { Connection } from '@msc/transport';
import type { AuthenticationExchange, AuthenticationExchangeFactory } from './authentication-part.ts';
import type { Authenticator, SessionRole } from './authenticator.ts';
import type { EarlyDecoding, PayloadContext } from './capability-codec.ts';
import { EarlyInbox } from './early-inbox.ts';
import type { SessionLimits } from './limits.ts';
import type { ResumableConnection } from './resume/resumable-connection.ts';
import type { SessionError, SessionStep, TerminationReason } from './session-error.ts';
import type { SessionTracer } from './trace.ts';
import { ownedCopy } from './wire/frame-layout.ts';
import { encodeHello, parseHello } from './wire/hello.ts';
import type { AuthenticateMessage, ConfigureMessage, Message } from './wire/message.ts';
import {
  type Descriptor,
  type Hello,
  messageTypeAbort,
  messageTypeAuthenticate,
  messageTypeConfigure,
} from './wire/protocol.ts';
import { describeError, ProtocolViolation } from './wire/violations.ts';

/**
 * Establishment (docs/semantics.md#establishment, protocol.ts `Hello`, `Authenticate`,
 * `Configure`): the version step (both hellos, sent at once), the authentication step (the
 * authenticator's exchange over the transcript of both hellos) and the configuration step (each
 * side sends its root; the session is established when both sides have sent and received one), all
 * within `handshakeTimeoutMs`.
 *
 * Flow: hello out → hello in (version, scheme) → authenticator (its messages ride `Authenticate`)
 * → root chosen, `Configure` out → held messages delivered → `Configure` in → established.
 * Messages the peer sends after its own configuration arrive while this side may still be
 * authenticating or choosing its root: they are held, bounded, and delivered in order once this
 * side's `Configure` is out. Failure at any step ends the session with that step in its reason;
 * the remote-root promise and {@link established} then fail with the session's error.
 */

/** What the handshake needs from its session. */
export interface HandshakePort {
  /** Queues a message (see `Outbox.send`). */
  send(message: unknown[]): void;
  /** Names this side's root to the peer, exporting it. */
  describe(handler: CapabilityHandler): Descriptor;
  /** Turns the peer's root descriptor into a handler the caller owns a reference to. */
  resolve(descriptor: Descriptor): CapabilityHandler;
  /** Delivers a message held during establishment. */
  deliver(message: Message, context: PayloadContext): void;
  /** Ends the session. */
  end(reason: TerminationReason, notifyPeer: boolean): void;
  /** @internal Ends the session for an error met while receiving (`protocol` or `limit`). */
  receiveFailed_(error: unknown): void;
  /**
   * The session is established: the handshake is done with (the session keeps the peer and the
   * version, and drops the handshake's state).
   * @internal
   */
  handshakeDone_(): void;
  /** Whether the session has ended. */
  readonly isTerminated: boolean;
}

/** How a handshake is set up. */
export interface HandshakeOptions {
  readonly connection: Connection;
  readonly role: SessionRole;
  readonly authenticator: Authenticator<unknown>;
  /**
   * How the authenticator runs (`authenticationFor`, authentication-part.ts): `undefined` for
   * `unauthenticated()` without authentication installed, which exchanges nothing.
   */
  readonly exchange: AuthenticationExchangeFactory | undefined;
  /** The root option when it is a chooser, or `undefined` (see `rootHandler`). */
  readonly chooseRoot: ((peer: any) => Proxy<unknown> | Promise<Proxy<unknown>>) | undefined;
  /** The session's own reference to a fixed root (the session releases it when it ends). */
  readonly rootHandler: CapabilityHandler | undefined;
  readonly versions: readonly number[];
  /** The session's resumable connection, when it has the `resume` option (docs/resumption.md). */
  readonly resumable?: ResumableConnection | undefined;
  /** `handshakeTimeoutMs`; `maxAnswers` and `maxHeldBytes` bound the messages held meanwhile. */
  readonly limits: SessionLimits;
  readonly tracer: SessionTracer | undefined;
  /** How frames are decoded until this side's `Configure` is out (the handshake drops it then). */
  readonly early: EarlyDecoding;
  /** Whether this side offers values mode in its hello (see `Hello.values`). */
  readonly values: boolean;
}

type Phase = 'hello' | 'authenticating' | 'configuring' | 'established' | 'terminated';

/**
 * Throws what a message of the handshake (`type`) means once the session is established and its
 * handshake is gone: the same violations {@link Handshake} throws after establishment.
 *
 * @throws ProtocolViolation always
 */
export function refuseAfterEstablishment(type: number): never {
  throw new ProtocolViolation(
    type === messageTypeAuthenticate
      ? 'an authentication message outside the authentication step'
      : 'a second configure message',
  );
}

/** One session's establishment (dropped by its session once established). */
export class Handshake {
  readonly #options: HandshakeOptions;
  readonly #port: HandshakePort;
  #phase: Phase = 'hello';
  #protocolVersion = 0;
  #peer: unknown = undefined;
  /** This side's hello as sent, kept only until the transcript is built. */
  #helloBytes: Uint8Array | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #configureSent = false;
  #valuesAgreed = false;
  #configureReceived = false;
  /** What the peer sent before this side's `Configure` is out, and how it is decoded meanwhile. */
  readonly #inbox: EarlyInbox;
  /** The authenticator's run, while it runs (authentication-exchange.ts). */
  #exchange: AuthenticationExchange | undefined;
  /** The peer's root: settled by its `Configure`, or failed when the session ends first. */
  readonly remoteRoot = new PromiseHandler();
  /** The frame cap until this side's `Configure` is out. */
  readonly frameBytes: number;
  /** The connection's own frame cap, restored once this side's `Configure` is out. */
  readonly #connectionFrameBytes: number;
  readonly established: Promise<void>;
  #resolveEstablished!: () => void;
  #rejectEstablished!: (error: unknown) => void;

  constructor(options: HandshakeOptions, port: HandshakePort) {
    this.#options = options;
    this.#port = port;
    this.#connectionFrameBytes = options.connection.maxFrameBytes;
    this.#inbox = new EarlyInbox(options.limits, options.early);
    this.frameBytes = Math.min(
      options.limits.maxHandshakeFrameBytes,
      options.limits.maxFrameBytes,
      this.#connectionFrameBytes,
    );
    this.established = new Promise<void>((resolve, reject) => {
      this.#resolveEstablished = resolve;
      this.#rejectEstablished = reject;
    });
    this.established.catch(() => {}); // observed through `closed` as well; never unhandled
  }

  /** The agreed protocol version (0 before the hellos were exchanged). */
  get protocolVersion(): number {
    return this.#protocolVersion;
  }

  /** @internal Whether both hellos offered values mode (see `Hello.values`). */
  get valuesAgreed_(): boolean {
    return this.#valuesAgreed;
  }

  /** What the authenticator learned about the peer; `undefined` before authentication. */
  get peer(): unknown {
    return this.#peer;
  }

  /** @internal Whether the next frame is the peer's hello. */
  get awaitingHello_(): boolean {
    return this.#phase === 'hello';
  }

  /** The step a failure now belongs to. */
  get step(): SessionStep {
    switch (this.#phase) {
      case 'hello':
        return 'version';
      case 'authenticating':
        return 'authentication';
      case 'configuring':
        return 'configuration';
      default:
        return this.#configureSent && this.#configureReceived ? 'session' : 'configuration';
    }
  }

  /** Starts the timeout and the connection, and sends this side's hello. */
  start(): void {
    const options = this.#options;
    this.#armTimeout(options.limits.handshakeTimeoutMs, false);
    const connection = options.connection;
    // Until this side's root is out the peer has only small messages to send: the transport refuses
    // larger frames before holding anything for them.
    connection.setMaxFrameBytes(this.frameBytes);
    const hello: Hello = {
      versions: options.versions,
      nonce: crypto.getRandomValues(new Uint8Array(32)),
      scheme: options.authenticator.scheme,
      addressBinding: connection.addressesObservable !== false,
      // Only with the `resume` option (its half of the resume secret, docs/resumption.md#secret):
      // a hello without it is byte for byte what it was.
      ...(options.resumable !== undefined ? { resume: options.resumable.offer } : {}),
      // Offered only where the connection carries values: otherwise the hello is what it was.
      ...(options.values ? { values: true } : {}),
    };
    this.#helloBytes = ownedCopy(encodeHello(hello));
    options.tracer?.event(
      'out',
      'Hello',
      { versions: hello.versions.join(','), scheme: hello.scheme },
      this.#helloBytes,
    );
  }

  /** @internal This side's hello, for the connection (a copy the transport may take). */
  helloFrame_(): Uint8Array {
    return ownedCopy(this.#helloBytes!);
  }

  /**
   * The peer's first frame.
   *
   * @throws ProtocolViolation when it is not a valid hello
   * @internal
   */
  receiveHello_(frame: Uint8Array): void {
    const options = this.#options;
    let hello: Hello;
    try {
      hello = parseHello(frame);
    } catch (error) {
      throw new ProtocolViolation(`the first frame is not a valid hello: ${describeError(error)}`);
    }
    options.tracer?.event('in', 'Hello', { versions: hello.versions.join(','), scheme: hello.scheme }, frame);
    const common = hello.versions.filter((version) => options.versions.includes(version));
    if (common.length === 0) {
      this.#port.end(
        {
          step: 'version',
          code: 'version-mismatch',
          message: `no protocol version in common: this side speaks [${options.versions.join(', ')}], the peer speaks [${hello.versions.join(', ')}]`,
          remote: false,
        },
        true,
      );
      return;
    }
    this.#protocolVersion = Math.max(...common);
    this.#valuesAgreed = options.values && hello.values === true;
    const scheme = options.authenticator.scheme;
    if (hello.scheme !== scheme) {
      this.#port.end(
        {
          step: 'authentication',
          code: 'invalid',
          message: `authentication schemes differ: this side uses '${scheme}', the peer '${hello.scheme}'`,
          remote: false,
        },
        true,
      );
      return;
    }
    const ownHello = this.#helloBytes!;
    this.#helloBytes = undefined;
    const dialerHello = options.role === 'dialer' ? ownHello : frame;
    const listenerHello = options.role === 'dialer' ? frame : ownHello;
    const transcript = new Uint8Array(dialerHello.byteLength + listenerHello.byteLength);
    transcript.set(dialerHello, 0);
    transcript.set(listenerHello, dialerHello.byteLength);
    options.resumable?.agree(hello, transcript, this.#protocolVersion);
    this.#phase = 'authenticating';
    const bindAddresses = hello.addressBinding && options.connection.addressesObservable !== false;
    void this.#authenticate(transcript, bindAddresses);
  }

  async #authenticate(transcript: Uint8Array, bindAddresses: boolean): Promise<void> {
    const options = this.#options;
    const exchange = options.exchange?.(options, this.#port, this.#inbox);
    this.#exchange = exchange;
    // Without an exchange (`unauthenticated()` where authentication is not installed) the peer is
    // undefined at once, as `unauthenticated()` would have said.
    const peer =
      exchange === undefined
        ? undefined
        : await exchange.run(transcript, bindAddresses, this.#protocolVersion);
    if (this.#port.isTerminated) return;
    this.#exchange = undefined;
    this.#peer = peer;
    options.resumable?.authenticated(peer);
    this.#phase = 'configuring';
    await this.#configure(peer);
  }

  /**
   * `Authenticate`: hands the bytes to the authenticator, in order. Messages the authenticator has
   * not asked for yet wait in an inbox and count as held bytes.
   *
   * @throws ProtocolViolation outside the authentication step
   * @throws LimitViolation when the unread messages and the held ones pass `maxHeldBytes`
   * @internal
   */
  receiveAuthenticate_(message: AuthenticateMessage): void {
    const exchange = this.#exchange;
    if (this.#phase !== 'authenticating' || exchange === undefined) {
      throw new ProtocolViolation('an authentication message outside the authentication step');
    }
    exchange.receive(message[1]);
  }

  /** How the next frame is decoded: strictly until this side's `Configure` is out (`EarlyInbox`). */
  get early(): EarlyDecoding | undefined {
    return this.#inbox.decoding;
  }

  /** Whether this side's `Configure` is out (from then on the peer may send frames of any size). */
  get configured(): boolean {
    return this.#configureSent;
  }

  /**
   * Holds `message` (`size` bytes encoded) when this side has not sent its `Configure` yet (it is
   * still authenticating or choosing its root): whether it was held. `Abort` and `Authenticate`
   * are never held. A well-behaved peer has little to send then (its `Configure`; nothing can call
   * this side before its root is out), so the bound is small.
   *
   * @throws LimitViolation past `maxAnswers` messages or `maxHeldBytes` bytes
   */
  hold(message: Message, context: PayloadContext, size: number): boolean {
    if (this.#configureSent) return false;
    const type = message[0];
    if (type === messageTypeAbort || type === messageTypeAuthenticate) return false;
    this.#inbox.hold(message, context, size);
    return true;
  }

  async #configure(peer: unknown): Promise<void> {
    const { chooseRoot, rootHandler } = this.#options;
    let root: Proxy<unknown>;
    try {
      if (rootHandler !== undefined) {
        rootHandler.retain();
        root = createProxy(rootHandler) as Proxy<unknown>;
      } else {
        root = chooseRoot === undefined ? nothing() : await chooseRoot(peer);
      }
      if (!isCapability(root)) throw new TypeError('the root chooser must return a proxy');
    } catch (error) {
      this.#port.end(
        {
          step: 'configuration',
          code: 'internal',
          message: `choosing the root failed: ${describeError(error)}`,
          remote: false,
        },
        true,
      );
      return;
    }
    if (this.#port.isTerminated) return;
    const descriptor = this.#port.describe(handlerOf(root)!);
    root[Symbol.dispose](); // the export holds its own reference now
    // The peer gets our root with this message and may then send frames of any size.
    // (The session itself checks its own `maxFrameBytes`, so a peer past it ends with `limit`.)
    this.#options.connection.setMaxFrameBytes(this.#connectionFrameBytes);
    this.#port.send([messageTypeConfigure, descriptor]);
    this.#configureSent = true;
    // From the next frame on, the session's own codec and limits.
    const held = this.#inbox.release();
    try {
      for (const [message, context] of held) this.#port.deliver(message, context);
    } catch (error) {
      this.#port.receiveFailed_(error);
      return;
    }
    this.#checkEstablished();
  }

  /**
   * `Configure`: the peer's root settles the remote-root promise.
   *
   * @throws ProtocolViolation for a second one
   * @internal
   */
  receiveConfigure_(message: ConfigureMessage): void {
    if (this.#configureReceived) throw new ProtocolViolation('a second configure message');
    this.#configureReceived = true;
    this.remoteRoot.settle({ kind: 'capability', handler: this.#port.resolve(message[1]) });
    this.#checkEstablished();
  }

  /**
   * Ends the handshake with `timeout` once `waitMs` have passed, unless it finished first. Time our
   * own event loop was blocked (a long synchronous task) is not the peer's: its messages waited
   * unread behind the timer. So a timer that runs more than a tenth of the timeout late is re-armed
   * once, for its lateness (at most the timeout), after the waiting messages are read; ordinary
   * timer jitter is not granted, and a loop that is merely slow gains at most one more timeout.
   */
  #armTimeout(waitMs: number, granted: boolean): void {
    const dueAt = performance.now() + waitMs;
    this.#timer = setTimeout(() => {
      const timeoutMs = this.#options.limits.handshakeTimeoutMs;
      const lateMs = performance.now() - dueAt;
      if (!granted && lateMs > timeoutMs / 10) {
        this.#armTimeout(Math.min(lateMs, timeoutMs), true);
        return;
      }
      this.#port.end(
        {
          step: this.step,
          code: 'timeout',
          message: `the handshake did not finish within ${timeoutMs} ms`,
          remote: false,
        },
        true,
      );
    }, waitMs);
  }

  #checkEstablished(): void {
    if (!this.#configureSent || !this.#configureReceived || this.#phase === 'established') return;
    if (this.#port.isTerminated) return;
    this.#phase = 'established';
    clearTimeout(this.#timer);
    this.#resolveEstablished();
    this.#port.handshakeDone_();
  }

  /** @internal The session ended: authentication stops, the remote root and `established` fail. */
  abortAll_(error: SessionError, aborted: AbortedError): void {
    this.#phase = 'terminated';
    clearTimeout(this.#timer);
    this.#exchange?.abort(error, aborted);
    this.#exchange = undefined;
    this.#inbox.abort();
    this.remoteRoot.settle({ kind: 'error', error: aborted });
    this.#rejectEstablished(error); // no effect once established
  }
}
