import type {
  AuthenticationExchange,
  AuthenticationOptions,
  AuthenticationPort,
  HeldBytes,
} from './authentication-part.ts';
import { AuthenticationError } from './authenticator.ts';
import { channelBinding } from './channel-binding.ts';
import { messageTypeAuthenticate } from './wire/protocol.ts';

/**
 * The authentication step of establishment (docs/semantics.md#establishment, protocol.ts
 * `Authenticate`), installed by `enableAuthentication()` (authentication-part.ts): one run of the
 * session's authenticator, made by its handshake once the hellos agree.
 *
 * Flow: `run()` gives the authenticator its context (role, version, the transcript of both hellos,
 * the channel binding); what it sends rides `Authenticate` messages to the peer, what the peer sends
 * waits here in order until it asks (`receive()` below, counted with the handshake's held bytes);
 * when it returns, the unread messages are dropped; when it throws, the session ends with the step
 * `authentication` and the peer is told why (an `AuthenticationError`'s message; any other error
 * as a generic failure). When the session ends first, the authenticator's signal aborts and its
 * waiting `receive()` fails.
 */
export class AuthenticatorExchange implements AuthenticationExchange {
  readonly #options: AuthenticationOptions;
  readonly #port: AuthenticationPort;
  readonly #held: HeldBytes;
  /** The peer's messages the authenticator has not read yet. */
  #unread: Uint8Array[] = [];
  #reader: { resolve(message: Uint8Array): void; reject(error: unknown): void } | undefined;
  readonly #abort = new AbortController();
  /** Set when the session ended: what `receive()` fails with from then on. */
  #aborted: unknown = undefined;
  #ended = false;

  constructor(options: AuthenticationOptions, port: AuthenticationPort, held: HeldBytes) {
    this.#options = options;
    this.#port = port;
    this.#held = held;
  }

  async run(transcript: Uint8Array, bindAddresses: boolean, protocolVersion: number): Promise<unknown> {
    const { connection, role, authenticator } = this.#options;
    const binding = channelBinding(connection, role, bindAddresses);
    try {
      return await authenticator.authenticate({
        role,
        protocolVersion,
        transcript,
        channelBinding: binding,
        send: (message) => {
          if (!this.#port.isTerminated) this.#port.send([messageTypeAuthenticate, message]);
        },
        receive: () => this.#next(),
        signal: this.#abort.signal,
      });
    } catch (error) {
      if (this.#port.isTerminated) return undefined;
      const known = error instanceof AuthenticationError;
      this.#port.end(
        {
          step: 'authentication',
          code: known
            ? error.code === 'refused'
              ? 'refused'
              : error.code === 'invalid'
                ? 'invalid'
                : 'protocol'
            : 'internal',
          message: known ? error.message : 'authentication failed',
          remote: false,
        },
        true,
      );
      return undefined;
    } finally {
      this.#end();
    }
  }

  receive(message: Uint8Array): void {
    if (this.#ended) return; // after the authenticator returned, before the handshake moved on: dropped
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.resolve(message);
      return;
    }
    this.#held.count_(message.byteLength);
    this.#unread.push(message);
  }

  abort(error: unknown, aborted: unknown): void {
    this.#aborted = aborted;
    this.#abort.abort(error);
    this.#reader?.reject(aborted);
    this.#reader = undefined;
    this.#unread = [];
  }

  /** The peer authenticator's next message, in order (one reader at a time: the authenticator). */
  #next(): Promise<Uint8Array> {
    if (this.#aborted !== undefined) return Promise.reject(this.#aborted);
    const message = this.#unread.shift();
    if (message !== undefined) {
      this.#held.count_(-message.byteLength);
      return Promise.resolve(message);
    }
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  /** The authenticator returned or threw: its unread messages are dropped. */
  #end(): void {
    this.#ended = true;
    for (const message of this.#unread) this.#held.count_(-message.byteLength);
    this.#unread = [];
  }
}
