// An in-test stand-in for the session's authentication step: two AuthenticationContexts wired to
// each other through queues, with transcripts and channel bindings the test controls. It behaves as
// the session is specified to (authenticator.ts): messages arrive in order; when one side's
// authenticate() throws, the session ends, the error's message crosses to the peer as the reason
// (an AuthenticationError's message verbatim, anything else as a generic failure), the peer's
// receive() rejects and both signals abort.
import { randomBytes } from 'node:crypto';
import {
  type AuthenticationContext,
  AuthenticationError,
  type Authenticator,
  type SessionRole,
} from '@msc/session';

/** What the harness's session reports on the side whose peer ended the handshake. */
export class PeerEndedError extends Error {
  override readonly name = 'PeerEndedError';
  constructor(readonly reason: string) {
    super(`the peer ended the session during authentication: ${reason}`);
  }
}

/** Options of {@link connectedContexts}. */
export interface HarnessOptions {
  /** Hello transcript for both sides (default: fresh random nonces). */
  readonly transcript?: Uint8Array;
  /** Overrides the transcript the dialer sees. */
  readonly dialerTranscript?: Uint8Array;
  /** Overrides the transcript the listener sees. */
  readonly listenerTranscript?: Uint8Array;
  /** Channel binding for both sides (default: a fresh random one). */
  readonly channelBinding?: Uint8Array;
  readonly dialerChannelBinding?: Uint8Array;
  readonly listenerChannelBinding?: Uint8Array;
  readonly protocolVersion?: number;
  /** Rewrites a message in flight (`index` counts that side's messages from 0). */
  readonly intercept?: (from: SessionRole, message: Uint8Array, index: number) => Uint8Array;
  /** Ends the handshake when it takes longer (ms). Default 5000. */
  readonly timeout?: number;
}

/** One side as the test sees it. */
export interface HarnessSide {
  readonly context: AuthenticationContext;
  /** Every message this side sent, as sent (before interception). */
  readonly sent: Uint8Array[];
  /** Ends the session from this side, sending `reason` to the peer. */
  end(reason: string): void;
}

/** A fresh hello transcript: what the session's two hello messages would be (two new nonces). */
export function freshTranscript(): Uint8Array {
  return new Uint8Array([
    ...Buffer.from('hello dialer v1 msc-ed25519/1'),
    ...randomBytes(32),
    ...Buffer.from('hello listener v1 msc-ed25519/1'),
    ...randomBytes(32),
  ]);
}

/** A channel binding as a direct connection between two addresses would have. */
export function bindingFor(dialerAddress: string, listenerAddress: string): Uint8Array {
  return new Uint8Array(Buffer.from(`${dialerAddress}|${listenerAddress}`));
}

class Inbox {
  readonly #messages: Uint8Array[] = [];
  readonly #waiters: { resolve(message: Uint8Array): void; reject(error: unknown): void }[] = [];
  #ended: unknown;

  push(message: Uint8Array): void {
    if (this.#ended !== undefined) return;
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#messages.push(message);
    else waiter.resolve(message);
  }

  receive(): Promise<Uint8Array> {
    const message = this.#messages.shift();
    if (message !== undefined) return Promise.resolve(message);
    if (this.#ended !== undefined) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  end(error: unknown): void {
    if (this.#ended !== undefined) return;
    this.#ended = error;
    // Messages sent before the end were ahead of the termination on the ordered transport: they are
    // still delivered (a refusal verdict arrives before the session's termination reason).
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}

/** Two contexts wired to each other; `dispose()` ends both (clears the timer). */
export function connectedContexts(options: HarnessOptions = {}) {
  const transcript = options.transcript ?? freshTranscript();
  const channelBinding = options.channelBinding ?? new Uint8Array(randomBytes(16));
  const controller = new AbortController();
  const inboxes = { dialer: new Inbox(), listener: new Inbox() };
  const timer = setTimeout(() => {
    const error = new Error('handshake timed out');
    inboxes.dialer.end(error);
    inboxes.listener.end(error);
    controller.abort(error);
  }, options.timeout ?? 5000);

  const makeSide = (role: SessionRole): HarnessSide => {
    const peerRole: SessionRole = role === 'dialer' ? 'listener' : 'dialer';
    const sent: Uint8Array[] = [];
    const context: AuthenticationContext = {
      role,
      protocolVersion: options.protocolVersion ?? 1,
      transcript: (role === 'dialer' ? options.dialerTranscript : options.listenerTranscript) ?? transcript,
      channelBinding:
        (role === 'dialer' ? options.dialerChannelBinding : options.listenerChannelBinding) ?? channelBinding,
      send(message) {
        if (controller.signal.aborted) throw new Error('send after the session ended');
        const index = sent.length;
        sent.push(message.slice());
        inboxes[peerRole].push(
          options.intercept ? options.intercept(role, message.slice(), index) : message.slice(),
        );
      },
      receive: () => inboxes[role].receive(),
      signal: controller.signal,
    };
    return {
      context,
      sent,
      end(reason) {
        inboxes[peerRole].end(new PeerEndedError(reason));
        inboxes[role].end(new Error('this side ended the session'));
        clearTimeout(timer);
        if (!controller.signal.aborted) controller.abort(new Error(reason));
      },
    };
  };
  const dialer = makeSide('dialer');
  const listener = makeSide('listener');
  return {
    dialer,
    listener,
    dispose() {
      clearTimeout(timer);
    },
  };
}

/** How one side's authenticate() ended. */
export type Outcome<Peer> =
  | { readonly ok: true; readonly peer: Peer }
  | { readonly ok: false; readonly error: unknown };

/**
 * Runs a session's authentication step: `authenticate()` on both sides, ending the session with the
 * failing side's reason as the session would.
 */
export async function runAuthentication(
  side: HarnessSide,
  authenticator: Authenticator<unknown> | Pick<Authenticator<unknown>, 'authenticate'>,
): Promise<Outcome<unknown>> {
  try {
    return { ok: true, peer: await authenticator.authenticate(side.context) };
  } catch (error) {
    side.end(error instanceof AuthenticationError ? error.message : 'authentication failed');
    return { ok: false, error };
  }
}

/** A whole handshake between two authenticators through {@link connectedContexts}. */
export async function handshake<DialerPeer, ListenerPeer>(
  dialerAuthenticator: Authenticator<DialerPeer>,
  listenerAuthenticator: Authenticator<ListenerPeer>,
  options: HarnessOptions = {},
) {
  const wiring = connectedContexts(options);
  try {
    const [dialer, listener] = await Promise.all([
      runAuthentication(wiring.dialer, dialerAuthenticator),
      runAuthentication(wiring.listener, listenerAuthenticator),
    ]);
    return {
      dialer: dialer as Outcome<DialerPeer>,
      listener: listener as Outcome<ListenerPeer>,
      sent: { dialer: wiring.dialer.sent, listener: wiring.listener.sent },
    };
  } finally {
    wiring.dispose();
  }
}

/** The error of a failed outcome (fails the test when the side succeeded). */
export function failure(outcome: Outcome<unknown>): Error & { code?: string; reason?: string } {
  if (outcome.ok) throw new Error('expected the side to fail, it succeeded');
  return outcome.error as Error & { code?: string };
}
