import { randomBytes } from 'node:crypto';
import type { CloseReason, Connection } from '@msc/transport';
import { tcp } from '@msc/transport-tcp';
import { wireCodec } from '../wire-peer.ts';

/**
 * A resume attempt made by hand on a raw TCP connection (docs/resumption.md#handshake-of-a-resume, as a
 * peer written from the spec would make it): a hello naming a resume id, then whatever frames the attack
 * chooses, and the listener's answer read back.
 */

/** The resumption frames' kind bytes (docs/resumption.md#wire). */
export const ResumeKind = { Refused: 0xf8, Accepted: 0xf9, Proof: 0xfa } as const;
/** The protocol version that carries resumption. */
const resumptionVersion = 3;

/** A resume hello naming `resumeId` (any bytes: the attacks send wrong ones too), as a CBOR map. */
export function resumeHello(resumeId: Uint8Array, fields: Record<string, unknown> = {}): Uint8Array {
  return wireCodec()
    .encode({
      versions: [resumptionVersion],
      nonce: randomBytes(32),
      scheme: 'none',
      addressBinding: false,
      resume: resumeId,
      ...fields,
    })
    .slice();
}

/** A `Proof` frame: 32 proof bytes (random unless given) and a received count of 0. */
export function proofFrame(proof: Uint8Array = randomBytes(32)): Uint8Array {
  const frame = new Uint8Array(1 + 32 + 8);
  frame[0] = ResumeKind.Proof;
  frame.set(proof.subarray(0, 32), 1);
  return frame;
}

/**
 * A raw connection to a resumable listener that records the listener's answer: the reason of its
 * `Refused` frame, `accepted`, or how the connection closed without either.
 */
export class ResumeAttempt {
  readonly connection: Connection;
  /** Frames received after the listener's hello. */
  readonly frames: Uint8Array[] = [];
  #helloSeen = false;
  #answer: string | undefined;
  #closeReason: CloseReason | undefined;
  readonly #settled: Promise<void>;
  #settle: () => void = () => {};

  private constructor(connection: Connection) {
    this.connection = connection;
    this.#settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
    connection.start({
      frame: (frame) => {
        // The listener's hello comes first (a CBOR map, never a resumption kind byte).
        if (!this.#helloSeen && frame[0] !== ResumeKind.Refused && frame[0] !== ResumeKind.Accepted) {
          this.#helloSeen = true;
          return;
        }
        if (this.frames.length < 64) this.frames.push(frame.slice(0, 300));
        if (this.#answer !== undefined) return;
        if (frame[0] === ResumeKind.Refused) {
          this.#answer = new TextDecoder().decode(frame.subarray(1, 257));
          this.#settle();
        } else if (frame[0] === ResumeKind.Accepted) {
          this.#answer = 'accepted';
          this.#settle();
        }
      },
      closed: (reason) => {
        this.#closeReason = reason;
        this.#settle();
      },
    });
  }

  /** Dials `address` (a `tcp:` address) and sends `hello` as the first frame, unless it is `undefined`. */
  static async open(address: string, hello: Uint8Array | undefined): Promise<ResumeAttempt> {
    const attempt = new ResumeAttempt(await tcp().dial(address));
    if (hello !== undefined) attempt.send(hello);
    return attempt;
  }

  /** Sends `frame`; false when the connection refused it (closed, or past its frame cap). */
  send(frame: Uint8Array): boolean {
    try {
      this.connection.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The listener's answer within `timeoutMs`: the reason it refused with (`unknown-session`,
   * `bad-secret`, `busy`...), `accepted`, `closed:<code>` when the connection closed without an
   * answer, or `no-answer`.
   */
  async answer(timeoutMs: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#settled,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (this.#answer !== undefined) return this.#answer;
    if (this.#closeReason !== undefined) return `closed:${this.#closeReason.code}`;
    return 'no-answer';
  }

  /** Drops the connection (the attack is over with it). */
  abort(): void {
    this.connection.abort(new Error('the attack is over'));
  }
}
