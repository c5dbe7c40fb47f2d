import type { Connection } from '@msc/transport';
import { AuthenticationError, type Authenticator, type SessionRole } from '../authenticator.ts';
import { channelBinding } from '../channel-binding.ts';
import { ownedCopy } from '../wire/frame-layout.ts';
import { encodeHello, parseHello } from '../wire/hello.ts';
import { resumptionVersion } from '../wire/protocol.ts';
import { describeError } from '../wire/violations.ts';
import { concatBytes } from './concat-bytes.ts';
import {
  bytesFrame,
  countFrame,
  proofBytes,
  ResumeFrame,
  readCount,
  resumeIdBytes,
} from './resume-frames.ts';
import { type ResumeRefusal, resumeRefusals } from './resume-refusal.ts';
import { constantTimeEqual, nextSecret, resumeProof } from './resume-secret.ts';

/**
 * The exchange on a new connection that resumes a parked session (docs/resumption.md#handshake):
 * hellos (the dialer's names the session's resume id), the authenticators' run over the new
 * transcript, the dialer's proof and the listener's answer. Both sides treat the other as hostile:
 * every frame is checked, at most {@link maxQueuedFrames} frames and {@link maxQueuedBytes} bytes
 * wait unread, and the whole exchange is bounded in time by its caller's signal.
 */

/** Most frames of the peer held unread during the exchange (a peer sending more is refused). */
const maxQueuedFrames = 16;

/**
 * Most bytes of the peer held unread during the exchange: what the handshake holds before
 * authentication (`maxHeldBytes`, docs/limits.md), not 16 frames of the exchange's 64 KiB cap.
 */
export const maxQueuedBytes = 64 * 1024;

/** A resume attempt refused, with its stable reason. */
export class ResumeRefusedError extends Error {
  override readonly name = 'ResumeRefusedError';
  readonly reason: ResumeRefusal;
  constructor(reason: ResumeRefusal, message: string) {
    super(`resume refused (${reason}): ${message}`);
    this.reason = reason;
  }
}

/** The frames of the peer on the new connection, in order, for whoever awaits them. */
export class ResumeInbox {
  readonly #frames: Uint8Array[] = [];
  #queuedBytes = 0;
  #waiter: { resolve: (frame: Uint8Array) => void; reject: (error: unknown) => void } | undefined;
  #failure: unknown;

  /** A frame arrived (the connection's delivery). */
  push(frame: Uint8Array): void {
    if (this.#failure !== undefined) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve(frame);
    } else if (this.#frames.length >= maxQueuedFrames) {
      this.fail(new ResumeRefusedError('protocol', `more than ${maxQueuedFrames} unread frames`));
    } else if (this.#queuedBytes + frame.byteLength > maxQueuedBytes) {
      this.fail(new ResumeRefusedError('protocol', `more than ${maxQueuedBytes} unread bytes`));
    } else {
      this.#queuedBytes += frame.byteLength;
      this.#frames.push(frame);
    }
  }

  /**
   * The exchange cannot go on (the connection closed, the time is up). A refusal the listener sent
   * before closing, still unread, is the reason then.
   */
  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    const refusal = this.#frames.find((frame) => frame[0] === ResumeFrame.Refused);
    this.#failure = refusal === undefined ? error : refusalOf(refusal);
    this.#frames.length = 0;
    this.#queuedBytes = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  /** Throws the refusal of a `Refused` frame waiting unread (the listener refused before the proof went out). */
  throwIfRefused(): void {
    const refusal = this.#frames.find((frame) => frame[0] === ResumeFrame.Refused);
    if (refusal !== undefined) throw refusalOf(refusal);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** The next frame. */
  next(): Promise<Uint8Array> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const frame = this.#frames.shift();
    if (frame !== undefined) {
      this.#queuedBytes -= frame.byteLength;
      return Promise.resolve(frame);
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }
}

/** What both ends of the exchange need. */
export interface ResumeExchangeOptions {
  readonly connection: Connection;
  readonly inbox: ResumeInbox;
  readonly authenticator: Authenticator<unknown>;
  readonly signal: AbortSignal;
}

/** What a successful exchange agreed. */
export interface ResumeAgreement {
  /** The authenticated peer on the new connection. */
  readonly peer: unknown;
  /** How many data frames of this side the peer has received (replay starts there). */
  readonly peerReceived: number;
  /** The session's next resume secret (each is used once). */
  readonly secret: Uint8Array;
  /** The secret the dialer proved (the listener keeps it until the dialer shows it read `Accepted`). */
  readonly proven: Uint8Array;
}

/** The dialer's hello on a resume connection: only the resumption version, and the resume id. */
export function resumeHello(scheme: string, addressBinding: boolean, resumeId: Uint8Array): Uint8Array {
  return ownedCopy(
    encodeHello({
      versions: [resumptionVersion],
      nonce: crypto.getRandomValues(new Uint8Array(32)),
      scheme,
      addressBinding,
      resume: resumeId,
    }),
  );
}

/** The resume id a dialer's first frame asks for; `undefined` when the frame is an ordinary hello (or no hello). */
export function requestedResumeId(frame: Uint8Array): Uint8Array | undefined {
  try {
    const resume = parseHello(frame).resume;
    return resume !== undefined && resume.byteLength === resumeIdBytes ? resume : undefined;
  } catch {
    return undefined; // the session's handshake reports what is wrong with it
  }
}

/** The error a `Refused` frame stands for (an unknown reason is `protocol`). */
function refusalOf(frame: Uint8Array): ResumeRefusedError {
  const text = new TextDecoder().decode(frame.subarray(1, 257));
  const reason = (resumeRefusals.has(text) ? text : 'protocol') as ResumeRefusal;
  return new ResumeRefusedError(reason, 'the listener refused the resume');
}

/** A frame that must be `kind` (a `Refused` from the listener throws its reason). */
function expect(frame: Uint8Array, kind: number, what: string): Uint8Array {
  if (frame[0] === ResumeFrame.Refused && kind !== ResumeFrame.Refused) throw refusalOf(frame);
  if (frame.byteLength === 0 || frame[0] !== kind) {
    throw new ResumeRefusedError('protocol', `expected ${what}, got a frame of kind ${frame[0] ?? 'none'}`);
  }
  return frame;
}

/** Runs `authenticator` over the new connection, its messages in `Authenticate` frames. */
async function authenticate(
  options: ResumeExchangeOptions,
  role: SessionRole,
  transcript: Uint8Array,
  addressBinding: boolean,
): Promise<unknown> {
  const { connection, inbox, authenticator, signal } = options;
  const binding = channelBinding(connection, role, addressBinding);
  try {
    return await authenticator.authenticate({
      role,
      protocolVersion: resumptionVersion,
      transcript,
      channelBinding: binding,
      send: (message) => {
        try {
          connection.send(bytesFrame(ResumeFrame.Authenticate, message));
        } catch {
          // A closed connection shows on the next receive (with the listener's refusal first, if it sent one).
        }
      },
      receive: async () =>
        (
          await inbox
            .next()
            .then((frame) => expect(frame, ResumeFrame.Authenticate, 'an authentication message'))
        ).slice(1),
      signal,
    });
  } catch (error) {
    // Only the authenticator's verdict refuses; a dropped connection, a timeout or an abort is
    // thrown as it is, so the dialer tries again (a `Refused` frame is a ResumeRefusedError already).
    if (error instanceof AuthenticationError) throw new ResumeRefusedError('authentication', error.message);
    throw error;
  }
}

/**
 * The dialer's side: sends the hello naming `resumeId`, authenticates and proves the secret. Just
 * before the proof goes out it calls `ready` with the peer and the next secret; the listener's
 * answer (`Accepted` or `Refused`) is the caller's to read, synchronously as it arrives, since the
 * session's frames follow it at once on the same connection.
 *
 * @throws ResumeRefusedError with the listener's reason (the session cannot be resumed: stop trying)
 * @throws other errors when the connection failed (try again)
 */
export async function resumeAsDialer(
  options: ResumeExchangeOptions & {
    readonly resumeId: Uint8Array;
    readonly secret: Uint8Array;
    readonly received: number;
    readonly ready: (peer: unknown, nextSecret: Uint8Array) => void;
  },
): Promise<void> {
  const { connection, inbox, authenticator } = options;
  const addressBinding = connection.addressesObservable !== false;
  const ownHello = resumeHello(authenticator.scheme, addressBinding, options.resumeId);
  connection.send(ownHello.slice());
  const listenerHelloFrame = await inbox.next();
  let listenerHello: ReturnType<typeof parseHello>;
  try {
    listenerHello = parseHello(listenerHelloFrame);
  } catch (error) {
    throw new ResumeRefusedError('protocol', `the listener's hello is not valid: ${describeError(error)}`);
  }
  if (!listenerHello.versions.includes(resumptionVersion) || listenerHello.resume === undefined) {
    throw new ResumeRefusedError('not-supported', 'the listener does not offer resumption');
  }
  if (listenerHello.scheme !== authenticator.scheme) {
    throw new ResumeRefusedError('authentication', `the listener uses '${listenerHello.scheme}'`);
  }
  const transcript = concatBytes([ownHello, listenerHelloFrame]);
  const peer = await authenticate(
    options,
    'dialer',
    transcript,
    addressBinding && listenerHello.addressBinding,
  );
  const proof = await resumeProof(options.secret, transcript, options.received);
  const next = await nextSecret(options.secret, transcript);
  options.signal.throwIfAborted();
  // The listener may have refused already (it refuses an unknown or ended session on the hello).
  inbox.throwIfRefused();
  const received = countFrame(ResumeFrame.Proof, options.received);
  options.ready(peer, next);
  connection.send(bytesFrame(ResumeFrame.Proof, proof, received.subarray(1)));
}

/**
 * The listener's answer to a proof: how many data frames of the dialer it has received.
 *
 * @throws ResumeRefusedError for a `Refused` (its reason) or anything but a well-formed `Accepted`
 */
export function readResumeAnswer(frame: Uint8Array): number {
  expect(frame, ResumeFrame.Accepted, 'the resume answer');
  const received = frame.byteLength === 9 ? readCount(frame, 1) : -1;
  if (received < 0) throw new ResumeRefusedError('protocol', 'a malformed resume answer');
  return received;
}

/** What the listener checks a resume attempt against: the parked session's state at that moment. */
export interface ResumeTarget {
  /** The session's authenticated peer. */
  readonly peer: unknown;
  /** The session's current resume secret, or `undefined` when it is not resumable (now). */
  readonly secret: Uint8Array | undefined;
  /**
   * The secret of the last resume while the dialer may not have read its `Accepted` (a cut lost it):
   * a proof under it is accepted too.
   */
  readonly previousSecret: Uint8Array | undefined;
  /** Whether the session has ended. */
  readonly ended: boolean;
  /** Whether `resuming` is the session's peer. */
  samePeer(original: unknown, resuming: unknown): boolean;
  /** How many data frames the session has received (sent back in `Accepted`). */
  readonly received: number;
}

/**
 * The listener's side, after the dialer's hello named a parked session: authenticates over the
 * new transcript, checks the peer and the proof. The caller sends `Accepted` (with the session's
 * received count at that moment) once it has taken the connection over.
 *
 * @throws ResumeRefusedError naming why (the caller sends `Refused` and closes the connection)
 */
export async function resumeAsListener(
  options: ResumeExchangeOptions & {
    readonly ownHello: Uint8Array;
    readonly dialerHello: Uint8Array;
    readonly target: () => ResumeTarget;
    /**
     * The authenticators agreed on `peer` (before the proof is read): the caller may stop letting a
     * newer attempt replace this one when `peer` is the session's.
     */
    readonly authenticated?: (peer: unknown) => void;
  },
): Promise<ResumeAgreement> {
  const { inbox, connection } = options;
  const dialerHello = parseHello(options.dialerHello); // checked by `requestedResumeId` already
  const transcript = concatBytes([options.dialerHello, options.ownHello]);
  const addressBinding = dialerHello.addressBinding && connection.addressesObservable !== false;
  const peer = await authenticate(options, 'listener', transcript, addressBinding);
  options.authenticated?.(peer);
  const frame = expect(await inbox.next(), ResumeFrame.Proof, 'a proof');
  if (frame.byteLength !== 1 + proofBytes + 8) throw new ResumeRefusedError('protocol', 'a malformed proof');
  const peerReceived = readCount(frame, 1 + proofBytes);
  if (peerReceived < 0) throw new ResumeRefusedError('protocol', 'a malformed proof');
  // The session's state is read now, after the awaits: it may have ended meanwhile.
  const target = options.target();
  if (target.ended) throw new ResumeRefusedError('terminated', 'the session has ended');
  if (!target.samePeer(target.peer, peer)) {
    throw new ResumeRefusedError('other-identity', "the resuming peer is not the session's peer");
  }
  const secret = target.secret;
  if (secret === undefined) throw new ResumeRefusedError('not-resumable', 'the session cannot be resumed');
  const proof = frame.subarray(1, 1 + proofBytes);
  // Both proofs are computed, so the time taken does not tell which secret matched.
  const current = await resumeProof(secret, transcript, peerReceived);
  const previous = target.previousSecret;
  const earlier = previous === undefined ? undefined : await resumeProof(previous, transcript, peerReceived);
  const proven = constantTimeEqual(current, proof)
    ? secret
    : earlier !== undefined && previous !== undefined && constantTimeEqual(earlier, proof)
      ? previous
      : undefined;
  if (proven === undefined) {
    throw new ResumeRefusedError(
      'bad-secret',
      "the proof does not match the session's resume secret (replayed or stale)",
    );
  }
  return { peer, peerReceived, proven, secret: await nextSecret(proven, transcript) };
}
