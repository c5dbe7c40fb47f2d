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
    this.count_(size);
    held.push([message, context]);
  }

  /** This side's `Configure` is out: the held messages, in arrival order, for delivery. */
  release(): [Message, PayloadContext][] {
    const held = this.#held ?? [];
    this.#decoding = undefined;
    this.#held = undefined;
    this.#bytes = 0;
    return held;
  }

  /** The session ended: everything held is dropped. */
  abort(): void {
    this.#decoding = undefined;
    this.#held = undefined;
    this.#bytes = 0;
  }

  /**
   * Adds `size` bytes (negative: takes them off) to what is held: a held message's, or an
   * authentication message's the authenticator has not read yet (authentication-exchange.ts).
   *
   * @throws LimitViolation past `maxHeldBytes`
   * @internal
   */
  count_(size: number): void {
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
