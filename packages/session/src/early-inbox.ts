import type { EarlyDecoding, PayloadContext } from './capability-codec.ts';
import type { SessionLimits } from './limits.ts';
import type { Message } from './wire/message.ts';
import { LimitViolation } from './wire/violations.ts';

/**
 * What the peer sends before this side's `Configure` is out, while it may not be authenticated yet
 * (docs/limits.md): every frame is decoded with the handshake's limits and one decode budget across
 * all of them (`decoding`), and what waits is bounded together by `maxHeldBytes` (messages this side
 * cannot take before its root is out, and authentication messages its authenticator has not read
 * yet) and by `maxAnswers` messages.
 *
 * Owned by the session's handshake. `release()` hands the held messages over once the `Configure` is
 * out and drops the strict decoding; `abort()` drops everything when the session ends first.
 */
export class EarlyInbox {
  readonly #limits: SessionLimits;
  #decoding: EarlyDecoding | undefined;
  #held: [Message, PayloadContext][] | undefined;
  #authentication: Uint8Array[] = [];
  #reader: { resolve(message: Uint8Array): void; reject(error: unknown): void } | undefined;
  /** Encoded bytes of the held messages and of the unread authentication messages. */
  #bytes = 0;

  constructor(limits: SessionLimits, decoding: EarlyDecoding) {
    this.#limits = limits;
    this.#decoding = decoding;
  }

  /** How the next frame is decoded: strictly until `release()`, then undefined (the session's codec). */
  get decoding(): EarlyDecoding | undefined {
    return this.#decoding;
  }

  /**
   * Holds a message (`size` bytes encoded) until `release()`.
   *
   * @throws LimitViolation past `maxAnswers` messages or `maxHeldBytes` bytes
   */
  hold(message: Message, context: PayloadContext, size: number): void {
    const { maxAnswers } = this.#limits;
    const held = (this.#held ??= []);
    if (held.length >= maxAnswers) {
      throw new LimitViolation(
        `the peer sent more than ${maxAnswers} messages before the handshake ended`,
        'maxAnswers',
      );
    }
    this.#count(size);
    held.push([message, context]);
  }

  /**
   * An authentication message: to the waiting reader, or kept (and counted) until it asks.
   *
   * @throws LimitViolation when what waits passes `maxHeldBytes`
   * @internal
   */
  pushAuthentication_(message: Uint8Array): void {
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader.resolve(message);
      return;
    }
    this.#count(message.byteLength);
    this.#authentication.push(message);
  }

  /** @internal The next authentication message, in order (one reader at a time: the authenticator). */
  nextAuthentication_(): Promise<Uint8Array> {
    const message = this.#authentication.shift();
    if (message !== undefined) {
      this.#bytes -= message.byteLength;
      return Promise.resolve(message);
    }
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  /** @internal Authentication is over: unread authentication messages are dropped. */
  endAuthentication_(): void {
    for (const message of this.#authentication) this.#bytes -= message.byteLength;
    this.#authentication = [];
  }

  /** This side's `Configure` is out: the held messages, in arrival order, for delivery. */
  release(): [Message, PayloadContext][] {
    const held = this.#held ?? [];
    this.#decoding = undefined;
    this.#held = undefined;
    this.#bytes = 0;
    return held;
  }

  /** The session ended: a waiting reader fails with `error`; everything held is dropped. */
  abort(error: unknown): void {
    this.#reader?.reject(error);
    this.#reader = undefined;
    this.#decoding = undefined;
    this.#held = undefined;
    this.#authentication = [];
    this.#bytes = 0;
  }

  /** @throws LimitViolation past `maxHeldBytes` */
  #count(size: number): void {
    const { maxHeldBytes } = this.#limits;
    this.#bytes += size;
    if (this.#bytes > maxHeldBytes) {
      throw new LimitViolation(
        `the peer sent more than ${maxHeldBytes} bytes of messages before the handshake ended (maxHeldBytes)`,
        'maxHeldBytes',
      );
    }
  }
}
