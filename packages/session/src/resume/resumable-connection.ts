import {
  type CloseCode,
  type CloseOptions,
  type CloseReason,
  type Connection,
  ConnectionClosedError,
  type FrameReceiver,
} from '@msc/transport';
import type { Authenticator, SessionRole } from '../authenticator.ts';
import { type Hello, resumptionVersion, supportedVersions } from '../wire/protocol.ts';
import { describeError, ProtocolViolation } from '../wire/violations.ts';
import { concatBytes } from './concat-bytes.ts';
import type { ParkedSessions } from './parked-sessions.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import {
  ResumeInbox,
  ResumeRefusedError,
  readResumeAnswer,
  requestedResumeId,
  resumeAsDialer,
  resumeAsListener,
} from './resume-exchange.ts';
import {
  bytesFrame,
  countFrame,
  dataFrame,
  dataHeaderBytes,
  ResumeFrame,
  readCount,
  resumeIdBytes,
  secretHalfBytes,
  writeCount,
} from './resume-frames.ts';
import type { ResolvedResumeOptions, ResumeEvent, ResumeStatus } from './resume-options.ts';
import type { ResumeRefusal } from './resume-refusal.ts';
import { deriveSecret } from './resume-secret.ts';

/**
 * A session's connection when the session may be resumed (docs/resumption.md): the session sees
 * one {@link Connection} for its whole life, while underneath it the transport connections come
 * and go. It is the session's connection's only wrapper, and costs a session without the `resume`
 * option nothing (that session never makes one).
 *
 * Sequencing: until both hellos agreed on resumption ({@link agree}) frames pass as they are; from
 * then on each frame the session sends goes out as a data frame (one copy per frame, the header in
 * front) carrying this side's cumulative acknowledgement, and is held in the replay buffer until
 * the peer acknowledges it. A standalone `Ack` goes out `ackDelayMs` after a frame arrived if no
 * data frame carried the acknowledgement meanwhile (or at once past a quarter of `maxHeldBytes`).
 *
 * Ownership: the replay buffer holds the very frames handed to the transport (transports do not
 * write to a frame they were given, and the one that transfers buffers, MessagePort, is not
 * resumable). On replay only the acknowledgement in each header is rewritten.
 *
 * Failure: a dropped transport connection parks the session (once its peer authenticated, and
 * while its held bytes are within `maxHeldBytes`): frames the session sends meanwhile are held, bounded;
 * the dialer reconnects with backoff; past `graceMs`, past the held bytes, or when a resume is
 * refused, the session's receiver is told the connection closed, and the session ends exactly as it
 * did without resumption. A peer that breaks the sequencing rules ends it with `protocol`.
 *
 * Why one file over 450 lines: it is one state machine (plain, connected, parked, ended) whose every
 * transition reads and writes the same private state (the sequence counters, the replay buffer, the
 * secret, the current transport connection and the one resume exchange in progress); the wire
 * layout, the exchange, the secret, the buffer and the registry are each in their own file already,
 * and splitting the transitions would put that state behind a port with no other user.
 */
export class ResumableConnection implements Connection {
  readonly #role: SessionRole;
  readonly #options: ResolvedResumeOptions;
  readonly #authenticator: Authenticator<unknown>;
  readonly #handshakeTimeoutMs: number;
  readonly #registry: ParkedSessions<ResumableConnection> | undefined;
  #raw: Connection;
  #rawReceiver: RawReceiver;
  /** The session's receiver. */
  #receiver: FrameReceiver | undefined;
  #state: 'plain' | 'connected' | 'parked' | 'ended' = 'plain';
  /** Plain: this side's hello (the first frame sent), for a listener's resume exchange. */
  #ownHello: Uint8Array | undefined;
  #firstFrameSeen = false;
  /** Whether both hellos are in (a plain connection is `unavailable` from then on, not `connecting`). */
  #helloed = false;
  #peer: unknown;
  /** The peer authenticated on the original connection: a drop parks the session from then on. */
  #authenticated = false;
  /**
   * What this side's hello offers (docs/resumption.md#secret): its random half of the resume
   * secret, and for the listener the resume id after it. Made with the connection: a hello is the
   * first frame sent.
   */
  readonly offer: Uint8Array;
  #resumeId: Uint8Array | undefined;
  /** The current resume secret; `undefined` until derived (WebCrypto is asynchronous). */
  #secret: Uint8Array | undefined;
  /**
   * Listener: the secret the last resume was proven with, until a frame of the dialer arrives on
   * the new connection. The dialer switches to the next secret only when `Accepted` reaches it: if a
   * cut loses `Accepted`, it proves the previous secret again (over fresh nonces: nothing replays).
   */
  #previousSecret: Uint8Array | undefined;
  /** The first secret while WebCrypto derives it (`undefined` in it if the derivation failed). */
  #secretPending: Promise<Uint8Array | undefined> | undefined;
  /** Data frames this side sent (the next one's sequence number), received, and the peer acknowledged. */
  #sent = 0;
  #received = 0;
  #peerAcknowledged = 0;
  readonly #buffer = new ReplayBuffer();
  /** The held bytes passed `maxHeldBytes` while connected: not resumable until the peer acknowledges all. */
  #overflow = false;
  #ackOwed = false;
  #unacknowledgedBytes = 0;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Dialer: the reconnection loop's abort. */
  #reconnecting: AbortController | undefined;
  /** A resume exchange on a new connection, in progress. */
  #attempt: Attempt | undefined;
  #parkedDrain: { promise: Promise<void>; resolve: () => void } | undefined;
  /** The logical frame cap (the transport's minus the data header). */
  #maxFrameBytes: number;
  readonly closed: Promise<CloseReason>;
  #resolveClosed!: (reason: CloseReason) => void;
  #closeReason: CloseReason | undefined;
  /** Resumes so far. */
  #resumes = 0;

  constructor(
    raw: Connection,
    role: SessionRole,
    options: ResolvedResumeOptions,
    authenticator: Authenticator<unknown>,
    handshakeTimeoutMs: number,
    registry: ParkedSessions<ResumableConnection> | undefined,
  ) {
    this.#raw = raw;
    this.#rawReceiver = new RawReceiver(this);
    this.#role = role;
    this.#options = options;
    this.#authenticator = authenticator;
    this.#handshakeTimeoutMs = handshakeTimeoutMs;
    this.#registry = registry;
    this.#maxFrameBytes = Math.max(0, raw.maxFrameBytes - dataHeaderBytes);
    const half = crypto.getRandomValues(new Uint8Array(secretHalfBytes));
    if (role === 'listener') {
      this.#resumeId = crypto.getRandomValues(new Uint8Array(resumeIdBytes));
      this.offer = concatBytes([half, this.#resumeId]);
    } else this.offer = half;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  // ---------------------------------------------------------------- Connection

  get localAddress(): string {
    return this.#raw.localAddress;
  }

  get remoteAddress(): string {
    return this.#raw.remoteAddress;
  }

  get addressesObservable(): boolean {
    return this.#raw.addressesObservable !== false;
  }

  get maxFrameBytes(): number {
    return this.#maxFrameBytes;
  }

  setMaxFrameBytes(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`expected a frame cap, got ${bytes}`);
    this.#raw.setMaxFrameBytes(bytes + dataHeaderBytes);
    this.#maxFrameBytes = bytes;
  }

  /** Connected: the transport's unsent bytes; parked: the held bytes (so stream producers wait). */
  get bufferedBytes(): number {
    return this.#state === 'parked' ? this.#buffer.bytes : this.#raw.bufferedBytes;
  }

  whenDrained(): Promise<void> {
    if (this.#state !== 'parked') return this.#raw.whenDrained();
    if (this.#parkedDrain === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.#parkedDrain = { promise, resolve };
    }
    return this.#parkedDrain.promise;
  }

  start(receiver: FrameReceiver): void {
    if (this.#receiver !== undefined) throw new Error('start() was already called');
    this.#receiver = receiver;
    this.#raw.start(this.#rawReceiver);
  }

  send(frame: Uint8Array): void {
    switch (this.#state) {
      case 'plain':
        this.#ownHello ??= frame.slice();
        this.#raw.send(frame);
        return;
      case 'connected': {
        const wrapped = dataFrame(frame, this.#received);
        this.#ackOwed = false;
        this.#unacknowledgedBytes = 0;
        this.#sent++;
        if (!this.#overflow) {
          this.#buffer.push(wrapped);
          if (this.#buffer.bytes > this.#options.maxHeldBytes) {
            // Not resumable until the peer has acknowledged everything sent so far.
            this.#overflow = true;
            this.#buffer.clear(this.#sent);
          }
        }
        this.#raw.send(wrapped);
        return;
      }
      case 'parked': {
        const wrapped = dataFrame(frame, 0); // the acknowledgement is written when replayed
        // Checked before holding, so the held bytes never pass the bound (the registry's count included).
        if (
          this.#buffer.bytes + wrapped.length > this.#options.maxHeldBytes ||
          (this.#registry !== undefined && !this.#registry.hold(this, wrapped.length))
        ) {
          this.#lose(
            'limit',
            `the session would hold more than its bound (resume.maxHeldBytes ${this.#options.maxHeldBytes}, or the listener's maxParkedBytes) while its connection is down`,
          );
          return;
        }
        this.#sent++;
        this.#buffer.push(wrapped);
        return;
      }
      default:
        throw new ConnectionClosedError(this.#closeReason);
    }
  }

  close(options?: CloseOptions): Promise<void> {
    if (this.#state === 'ended') return this.closed.then(() => {});
    const live = this.#state === 'plain' || this.#state === 'connected';
    this.#end();
    if (live) {
      void this.#raw.close(options).then(() => this.#settle(this.#raw.closed));
    } else {
      this.#finish({ code: options?.code ?? 'normal', message: options?.message ?? 'closed', remote: false });
    }
    return this.closed.then(() => {});
  }

  abort(error?: unknown): void {
    if (this.#state === 'ended') return;
    const live = this.#state === 'plain' || this.#state === 'connected';
    this.#end();
    if (live) {
      this.#raw.abort(error);
      this.#settle(this.#raw.closed);
    } else {
      this.#finish({ code: 'aborted', message: describeError(error), remote: false, error });
    }
  }

  // ---------------------------------------------------------------- the session's seams

  /** The protocol versions the session offers: version 3 (resumption) added to the supported ones. */
  readonly versions: readonly number[] = resumableVersions;

  /** The peer the authenticator accepted on the original connection (`undefined` before). */
  get peer(): unknown {
    return this.#peer;
  }

  /** Bytes held for replay now. */
  get heldBytes(): number {
    return this.#buffer.bytes;
  }

  /** What a UI or a test can read of the connection now. */
  status(): ResumeStatus {
    const state = this.#state;
    return {
      state: state === 'plain' ? (this.#helloed ? 'unavailable' : 'connecting') : state,
      resumable: state === 'connected' && this.#resumable,
      heldBytes: this.#buffer.bytes,
      resumes: this.#resumes,
    };
  }

  /**
   * Both hellos are in (the handshake's `receiveHello_`): from the next frame on the connection is
   * sequenced when both offered resumption and the agreed version has it; otherwise it stays plain.
   * Sequenced, both halves of the resume secret are known now (each hello carries its sender's), so
   * its derivation starts here, bound to `transcript` (both hellos, both nonces).
   *
   * @throws ProtocolViolation when the peer's offer is not the size its role sends
   */
  agree(peerHello: Hello, transcript: Uint8Array, protocolVersion: number): void {
    this.#helloed = true;
    const offer = peerHello.resume;
    if (this.#state !== 'plain' || protocolVersion < resumptionVersion || offer === undefined) return;
    const dialer = this.#role === 'dialer';
    if (offer.byteLength !== secretHalfBytes + (dialer ? resumeIdBytes : 0)) {
      throw new ProtocolViolation(
        `the peer's hello offers resumption with ${offer.byteLength} bytes; a ${dialer ? 'listener' : 'dialer'} sends ${secretHalfBytes + (dialer ? resumeIdBytes : 0)}`,
      );
    }
    this.#state = 'connected';
    this.#ownHello = undefined;
    const peerHalf = offer.slice(0, secretHalfBytes);
    if (dialer) this.#resumeId = offer.slice(secretHalfBytes);
    const ownHalf = this.offer.subarray(0, secretHalfBytes);
    this.#secretPending = deriveSecret(
      dialer ? ownHalf : peerHalf,
      dialer ? peerHalf : ownHalf,
      transcript,
    ).then(
      (secret) => {
        if (this.#state !== 'ended' && this.#secret === undefined) this.#secret = secret;
        return this.#secret;
      },
      () => undefined, // not resumable: a resume finds no secret (docs/resumption.md#secret)
    );
  }

  /**
   * The authenticator accepted `peer` on the original connection (the handshake, before its
   * configuration step): the session is resumable from here on, on both sides, for the peer is
   * known and both halves were in the hellos. The listener registers the session in its parked
   * sessions now, so a cut at any point after this (during configuration, one millisecond after
   * establishment) parks it on both sides. A session never established stays parked at most until
   * its handshake times out (the handshake's timer still runs).
   */
  authenticated(peer: unknown): void {
    this.#peer = peer;
    if (this.#state !== 'connected') return;
    this.#authenticated = true;
    if (this.#role === 'listener') this.#registry?.register(this.#resumeId!, this);
  }

  // ---------------------------------------------------------------- from the transport (internal)

  /** A frame arrived on `receiver`'s transport connection. */
  rawFrame(receiver: RawReceiver, frame: Uint8Array): void {
    const attempt = this.#attempt;
    if (attempt !== undefined && receiver === attempt.receiver) {
      if (attempt.answer !== undefined) this.#receiveAnswer(attempt, frame);
      else attempt.inbox.push(frame);
      return;
    }
    if (receiver !== this.#rawReceiver || this.#state === 'ended') return;
    if (this.#state === 'plain') {
      if (this.#role === 'listener' && !this.#firstFrameSeen) {
        this.#firstFrameSeen = true;
        const id = requestedResumeId(frame);
        if (id !== undefined) {
          this.#handOff(id, frame);
          return;
        }
      }
      this.#receiver!.frame(frame);
      return;
    }
    // The dialer sends on this connection: it has read `Accepted` and holds the next secret.
    this.#previousSecret = undefined;
    switch (frame[0]) {
      case ResumeFrame.Data: {
        if (frame.length < dataHeaderBytes || !this.#acknowledged(readCount(frame, 1))) {
          this.#violation('a malformed data frame or acknowledgement');
          return;
        }
        this.#received++;
        this.#ackOwed = true;
        this.#unacknowledgedBytes += frame.length;
        if (this.#unacknowledgedBytes > this.#options.maxHeldBytes / 4) this.#sendAck();
        else this.#ackTimer ??= setTimeout(this.#ackDue, this.#options.ackDelayMs);
        this.#receiver!.frame(frame.subarray(dataHeaderBytes));
        return;
      }
      case ResumeFrame.Ack:
        if (frame.length !== 9 || !this.#acknowledged(readCount(frame, 1))) {
          this.#violation('a malformed acknowledgement');
        }
        return;
      default:
        this.#violation(`a frame of kind ${frame[0] ?? 'none'} where a data frame was expected`);
    }
  }

  /** `receiver`'s transport connection closed. */
  rawClosed(receiver: RawReceiver, reason: CloseReason): void {
    const attempt = this.#attempt;
    if (attempt !== undefined && receiver === attempt.receiver) {
      attempt.inbox.fail(new Error(`the connection closed during the resume: ${reason.message}`));
      if (attempt.answer !== undefined) attempt.answer.fail(new Error(reason.message));
      return;
    }
    if (receiver !== this.#rawReceiver) return;
    if (this.#state === 'ended') {
      this.#finish(reason);
      return;
    }
    if (this.#state === 'connected' && this.#resumable) {
      this.#park(reason);
      return;
    }
    this.#end();
    this.#finish(reason);
    this.#receiver?.closed(reason);
  }

  /** Whether a drop now would park the session. */
  get #resumable(): boolean {
    if (this.#overflow) return false;
    return this.#authenticated && (this.#role === 'listener' || this.#options.dial !== undefined);
  }

  // ---------------------------------------------------------------- sequencing

  /** The peer has received `count` of this side's frames: whether that is possible (else a violation). */
  #acknowledged(count: number): boolean {
    if (count < this.#peerAcknowledged || count > this.#sent) return false;
    this.#peerAcknowledged = count;
    if (this.#overflow) {
      if (count === this.#sent) {
        this.#overflow = false;
        this.#buffer.clear(count);
      }
    } else this.#buffer.acknowledge(count);
    return true;
  }

  readonly #ackDue = (): void => {
    this.#ackTimer = undefined;
    if (this.#ackOwed && this.#state === 'connected') this.#sendAck();
  };

  #sendAck(): void {
    this.#ackOwed = false;
    this.#unacknowledgedBytes = 0;
    this.#sendControl(countFrame(ResumeFrame.Ack, this.#received));
  }

  /** Sends a frame of this layer (never the session's): a connection that is going is not this sender's failure. */
  #sendControl(frame: Uint8Array): void {
    try {
      this.#raw.send(frame);
    } catch {
      // The connection is going: its close event parks or ends the session.
    }
  }

  #violation(message: string): void {
    this.#raw.abort(new Error(message));
    this.#lose('protocol', message);
  }

  // ---------------------------------------------------------------- parked

  #park(reason: CloseReason): void {
    this.#state = 'parked';
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#emit({ type: 'disconnected', reason: reason.message });
    const parking = this.#registry?.park(this) ?? { parked: true, evicted: [] };
    if (!parking.parked) {
      this.#lose(
        'limit',
        `the session holds ${this.heldBytes} bytes for replay, more than all parked sessions may together (maxParkedBytes ${this.#registry!.maxParkedBytes})`,
      );
      return;
    }
    this.#graceTimer = setTimeout(() => {
      this.#lose(
        'error',
        `the connection did not come back within ${this.#options.graceMs} ms (resume.graceMs): ${reason.message}`,
      );
    }, this.#options.graceMs);
    if (this.#role === 'dialer') void this.#reconnect();
    // Last, once this session is set up: ending them runs their sessions' teardown (and onEvent).
    for (const victim of parking.evicted) victim.#evicted(this.#registry!);
  }

  /**
   * Listener: the registry took this parked session's place for another one (it has left the
   * registry's count already): it is lost, as at the grace's end, naming the bound.
   */
  #evicted(registry: ParkedSessions<ResumableConnection>): void {
    this.#lose(
      'limit',
      `another session dropped while the listener's parked sessions were at maxParkedSessions ${registry.maxParkedSessions} or maxParkedBytes ${registry.maxParkedBytes}; this session's peer held the most of them, so its oldest made room`,
    );
  }

  /** Dialer: new connections with backoff and jitter until one resumes, the window closes or attempts run out. */
  async #reconnect(): Promise<void> {
    const options = this.#options;
    const dial = options.dial!;
    const abort = new AbortController();
    this.#reconnecting = abort;
    const deadline = performance.now() + options.graceMs;
    let lastFailure = 'no attempt was made';
    await this.#secretPending; // the first secret may still be in derivation
    if (this.#secret === undefined && this.#state === 'parked') {
      this.#lose('error', 'the resume secret could not be derived (WebCrypto failed)');
      return;
    }
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      const backoff = Math.min(2000, options.initialBackoffMs * 2 ** (attempt - 1));
      const delay = Math.min(
        backoff / 2 + (Math.random() * backoff) / 2,
        Math.max(0, deadline - performance.now()),
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.#state !== 'parked' || abort.signal.aborted) return;
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      this.#emit({ type: 'resuming', attempt });
      const signal = AbortSignal.any([
        abort.signal,
        AbortSignal.timeout(Math.ceil(Math.min(this.#handshakeTimeoutMs, remaining))),
      ]);
      let raw: Connection | undefined;
      try {
        raw = await dial(signal);
        if (this.#state !== 'parked') {
          raw.abort(new Error('the session ended'));
          return;
        }
        const receiver = new RawReceiver(this);
        const inbox = new ResumeInbox();
        const current: Attempt = { receiver, inbox, raw };
        // The exchange has only small frames: the transport refuses a larger one before holding it.
        raw.setMaxFrameBytes(Math.min(raw.maxFrameBytes, exchangeFrameBytes));
        this.#attempt = current;
        signal.addEventListener(
          'abort',
          () => {
            inbox.fail(signal.reason);
            current.answer?.fail(signal.reason);
          },
          { once: true },
        );
        raw.start(receiver);
        const answered = new Promise<number>((resolve, reject) => {
          resumeAsDialer({
            connection: raw!,
            inbox,
            authenticator: this.#authenticator,
            signal,
            resumeId: this.#resumeId!,
            secret: this.#secret!,
            received: this.#received,
            ready: (peer, next) => {
              if (!options.samePeer(this.#peer, peer)) {
                throw new ResumeRefusedError('other-identity', 'the listener authenticated as someone else');
              }
              current.answer = { next, attempt, resolve, fail: reject };
            },
          }).catch(reject);
        });
        await answered;
        return; // resumed (see #receiveAnswer)
      } catch (error) {
        if (this.#attempt?.raw === raw) this.#attempt = undefined;
        raw?.abort(error);
        if (this.#state !== 'parked') return;
        if (error instanceof ResumeRefusedError && error.reason !== 'busy') {
          this.#lose('error', error.message);
          return;
        }
        lastFailure = describeError(error);
      }
    }
    this.#lose(
      'error',
      `the session could not be resumed within ${options.graceMs} ms (resume.graceMs) and ${options.maxAttempts} attempts: ${lastFailure}`,
    );
  }

  /** Dialer: the listener's answer to the proof, read as it arrives (the session's frames follow it). */
  #receiveAnswer(attempt: Attempt, frame: Uint8Array): void {
    const answer = attempt.answer!;
    this.#attempt = undefined;
    let peerReceived: number;
    try {
      peerReceived = readResumeAnswer(frame);
    } catch (error) {
      answer.fail(error);
      return;
    }
    if (this.#state !== 'parked') {
      answer.fail(new Error('the session ended'));
      return;
    }
    if (!this.#replayable(peerReceived)) {
      answer.fail(new ResumeRefusedError('protocol', 'the listener claims frames this side never sent'));
      return;
    }
    this.#secret = answer.next;
    this.#resume(attempt.raw, attempt.receiver, peerReceived, answer.attempt);
    answer.resolve(peerReceived);
  }

  /** Whether the replay can start at `peerReceived` (what the peer says it has). */
  #replayable(peerReceived: number): boolean {
    return (
      peerReceived >= this.#peerAcknowledged &&
      peerReceived <= this.#sent &&
      peerReceived >= this.#buffer.firstSequence
    );
  }

  /** Runs the session over `raw` again: replays what the peer lacks, then carries on. */
  #resume(raw: Connection, receiver: RawReceiver, peerReceived: number, attempt: number): void {
    const old = this.#raw;
    this.#raw = raw;
    this.#rawReceiver = receiver;
    if (old !== raw) old.abort(new Error('the session resumed over a new connection'));
    this.#state = 'connected';
    this.#resumes++;
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#reconnecting = undefined;
    this.#registry?.unpark(this);
    try {
      raw.setMaxFrameBytes(this.#maxFrameBytes + dataHeaderBytes);
    } catch {
      // A transport with a lower cap: frames past it fail as they would have.
    }
    this.#acknowledged(peerReceived);
    this.#ackOwed = false;
    this.#unacknowledgedBytes = 0;
    try {
      for (const frame of this.#buffer.frames()) {
        writeCount(frame, 1, this.#received);
        raw.send(frame);
      }
    } catch {
      // The new connection broke already: its close event parks the session again.
    }
    this.#emit({ type: 'resumed', attempt });
    const drain = this.#parkedDrain;
    this.#parkedDrain = undefined;
    drain?.resolve();
  }

  /**
   * Listener: a new connection whose hello names `id`. The session it names (if any) runs the
   * exchange; this connection's own session ends quietly, its transport connection handed over.
   */
  #handOff(id: Uint8Array, helloFrame: Uint8Array): void {
    const raw = this.#raw;
    const receiver = this.#rawReceiver;
    const ownHello = this.#ownHello;
    this.#end();
    const target = this.#registry?.lookup(id) ?? 'unknown-session';
    if (typeof target === 'string' || ownHello === undefined)
      refuse(raw, typeof target === 'string' ? target : 'protocol');
    else void target.#acceptResume(raw, receiver, ownHello, helloFrame.slice());
    const reason: CloseReason = {
      code: 'normal',
      message: 'the connection was handed to the session it resumes',
      remote: true,
    };
    this.#finish(reason);
    this.#receiver?.closed(reason);
  }

  /** Listener: runs a resume exchange over `raw` for this session; takes the connection over if it succeeds. */
  async #acceptResume(
    raw: Connection,
    receiver: RawReceiver,
    ownHello: Uint8Array,
    dialerHello: Uint8Array,
  ): Promise<void> {
    if (this.#state === 'ended') return refuse(raw, 'terminated');
    const running = this.#attempt;
    // Anyone who knows the resume id can open an attempt: one that has not authenticated as the
    // session's peer gives way to a newer one, so a stalled stranger cannot hold the slot (the
    // real dialer's retry replaces it); one that has keeps it, since a stranger cannot get there.
    if (running !== undefined && running.authenticated === true) return refuse(raw, 'busy');
    if (running !== undefined) {
      running.inbox.fail(new ResumeRefusedError('busy', 'a newer resume attempt replaced this one'));
      refuse(running.raw, 'busy');
    }
    receiver.owner = this;
    const inbox = new ResumeInbox();
    const attempt: Attempt = { receiver, inbox, raw };
    this.#attempt = attempt;
    const signal = AbortSignal.timeout(this.#handshakeTimeoutMs);
    signal.addEventListener(
      'abort',
      () => inbox.fail(new ResumeRefusedError('protocol', 'the resume exchange took too long')),
      { once: true },
    );
    let peerReceived: number;
    let next: Uint8Array;
    let proven: Uint8Array;
    try {
      // The first secret may still be in derivation (the dialer's frames wait in the inbox).
      await this.#secretPending;
      const agreement = await resumeAsListener({
        connection: raw,
        inbox,
        authenticator: this.#authenticator,
        signal,
        ownHello,
        dialerHello,
        authenticated: (peer) => {
          attempt.authenticated = this.#options.samePeer(this.#peer, peer);
        },
        target: () => ({
          peer: this.#peer,
          secret: this.#overflow ? undefined : this.#secret,
          previousSecret: this.#overflow ? undefined : this.#previousSecret,
          ended: this.#state === 'ended',
          received: this.#received,
          samePeer: this.#options.samePeer,
        }),
      });
      peerReceived = agreement.peerReceived;
      next = agreement.secret;
      proven = agreement.proven;
    } catch (error) {
      if (this.#attempt === attempt) this.#attempt = undefined;
      return refuse(raw, error instanceof ResumeRefusedError ? error.reason : 'protocol');
    }
    if (this.#attempt === attempt) this.#attempt = undefined;
    // The session may have ended during the exchange (the check above was before the awaits).
    if ((this.#state as string) === 'ended') return refuse(raw, 'terminated');
    if (this.#overflow || !this.#replayable(peerReceived)) return refuse(raw, 'not-resumable');
    if (this.#state === 'connected') {
      // The old connection looks up (its drop was not seen yet): the proven peer says otherwise.
      this.#rawReceiver = new RawReceiver(this);
      clearTimeout(this.#ackTimer);
      this.#ackTimer = undefined;
      this.#emit({ type: 'disconnected', reason: 'the peer resumed over a new connection' });
    }
    this.#secret = next;
    this.#previousSecret = proven;
    try {
      raw.send(countFrame(ResumeFrame.Accepted, this.#received));
    } catch {
      // The new connection broke already: its close event parks the session again.
    }
    this.#resume(raw, receiver, peerReceived, 0);
  }

  // ---------------------------------------------------------------- ending

  /** The session is lost: its receiver is told the connection closed (the session ends as without resumption). */
  #lose(code: CloseCode, message: string): void {
    if (this.#state === 'ended') return;
    const wasLive = this.#state === 'connected' || this.#state === 'plain';
    this.#end();
    if (wasLive) this.#raw.abort(new Error(message));
    this.#emit({ type: 'lost', reason: message });
    const reason: CloseReason = { code, message, remote: true };
    this.#finish(reason);
    this.#receiver?.closed(reason);
  }

  /** Stops everything (timers, attempts, the registry's entry); the state is `ended` from here on. */
  #end(): void {
    this.#state = 'ended';
    clearTimeout(this.#ackTimer);
    clearTimeout(this.#graceTimer);
    this.#ackTimer = undefined;
    this.#graceTimer = undefined;
    this.#reconnecting?.abort(new Error('the session ended'));
    this.#reconnecting = undefined;
    const attempt = this.#attempt;
    this.#attempt = undefined;
    attempt?.inbox.fail(new Error('the session ended'));
    attempt?.answer?.fail(new Error('the session ended'));
    attempt?.raw.abort(new Error('the session ended'));
    this.#registry?.remove(this, this.#resumeId);
    this.#buffer.clear(this.#sent);
    const drain = this.#parkedDrain;
    this.#parkedDrain = undefined;
    drain?.resolve();
  }

  #settle(closed: Promise<CloseReason>): void {
    void closed.then((reason) => this.#finish(reason));
  }

  #finish(reason: CloseReason): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#resolveClosed(reason);
  }

  #emit(event: ResumeEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A listener's failure is not the session's.
    }
  }
}

/** The versions a session with the `resume` option offers. */
const resumableVersions: readonly number[] = [...supportedVersions, resumptionVersion];

/** The frame cap of a resume exchange (hellos, authentication messages, the proof and the answer). */
const exchangeFrameBytes = 64 * 1024;

/** A resume exchange over a new transport connection. */
interface Attempt {
  readonly receiver: RawReceiver;
  readonly inbox: ResumeInbox;
  readonly raw: Connection;
  /** Dialer: set once the proof is out; the next frame is the listener's answer. */
  answer?: AttemptAnswer;
  /** Listener: the attempt's peer authenticated as the session's (a newer attempt is `busy` then). */
  authenticated?: boolean;
}

/** The dialer's pending answer to its proof. */
interface AttemptAnswer {
  readonly next: Uint8Array;
  readonly attempt: number;
  resolve(received: number): void;
  fail(error: unknown): void;
}

/** Sends `Refused` with `reason` and closes the connection (best effort: the peer may be gone). */
function refuse(raw: Connection, reason: ResumeRefusal): void {
  try {
    raw.send(bytesFrame(ResumeFrame.Refused, new TextEncoder().encode(reason)));
  } catch {
    // Gone already.
  }
  void raw.close({ code: 'normal', message: `resume refused: ${reason}` });
}

/**
 * What one transport connection delivers to: its owner (a listener's connection is handed to the
 * session it resumes by changing the owner). Frames of a connection that is no longer the
 * owner's current one are ignored.
 */
export class RawReceiver implements FrameReceiver {
  owner: ResumableConnection;

  constructor(owner: ResumableConnection) {
    this.owner = owner;
  }

  frame(frame: Uint8Array): void {
    this.owner.rawFrame(this, frame);
  }

  closed(reason: CloseReason): void {
    this.owner.rawClosed(this, reason);
  }
}
