import { Codec } from '@msc/serialization';
import { isId } from './violations.ts';

/**
 * The first frame of each side. Sent by both at once, without waiting for the other.
 * The receiver picks the highest version both list; none in common terminates the session at the
 * `version` step. The exact bytes of both hellos (dialer's first) are the handshake transcript the
 * authenticator signs.
 */
export interface Hello {
  /** The protocol versions the sender speaks. */
  readonly versions: readonly number[];
  /** 32 fresh random bytes, so no two handshakes have the same transcript. */
  readonly nonce: Uint8Array;
  /** The sender's authentication scheme; both sides must use the same one. */
  readonly scheme: string;
  /**
   * Whether the sender sees the connection's real addresses (see `Connection.addressesObservable`).
   * The handshake is bound to the addresses only when both do; the flag is part of the signed
   * transcript, so a relay cannot switch it off.
   */
  readonly addressBinding: boolean;
  /**
   * Present only when the sender offers resumption (docs/resumption.md#secret): in the hello of a
   * new session, the sender's 32 random bytes of the resume secret (the listener's followed by the
   * 16-byte resume id it gives the session); a 16-byte resume id in the dialer's hello on a
   * connection that resumes that session. Absent from every hello of a session without the
   * `resume` option.
   */
  readonly resume?: Uint8Array;
  /**
   * Whether the sender can take messages as structured-clone values (its connection carries them,
   * `Connection.carriesValues`, and values are enabled). Absent from older peers, meaning no. When
   * both hellos say so, each side sends its messages as values once the session is established (see
   * "Values mode" above); the handshake itself stays bytes. Part of the transcript.
   */
  readonly values?: boolean;
}

let sharedHelloCodec: Codec | undefined;

/**
 * The codec of hellos, shared by every session of the process (a codec holds encoder buffers, so one
 * per session would cost memory per idle session). Hellos are small: anything past 4 KiB or 4 levels
 * deep is refused.
 */
function helloCodec(): Codec {
  sharedHelloCodec ??= new Codec({ limits: { maxFrameBytes: 4096, maxDepth: 4 } });
  return sharedHelloCodec;
}

/** A hello's encoding (a view into the codec's shared buffer: copy it before keeping it). */
export function encodeHello(hello: Hello): Uint8Array {
  return helloCodec().encode({ ...hello });
}

/**
 * Decodes and checks the first frame of the peer.
 *
 * @throws Error naming what is wrong (the session ends with `protocol` at the `version` step)
 */
export function parseHello(frame: Uint8Array): Hello {
  const value = helloCodec().decode(frame);
  if (typeof value !== 'object' || value === null) throw new Error('expected a map');
  const { versions, nonce, scheme, addressBinding, resume, values } = value as Record<string, unknown>;
  if (!Array.isArray(versions) || versions.length === 0 || versions.length > 64 || !versions.every(isId)) {
    throw new Error('versions must be a non-empty list of integers');
  }
  if (!(nonce instanceof Uint8Array) || nonce.byteLength !== 32) throw new Error('nonce must be 32 bytes');
  if (typeof scheme !== 'string' || scheme.length > 256) throw new Error('scheme must be a short string');
  if (typeof addressBinding !== 'boolean') throw new Error('addressBinding must be a boolean');
  // Anything but `true` (absent from an older peer) means no values mode.
  const offersValues = values === true;
  if (resume === undefined) return { versions, nonce, scheme, addressBinding, values: offersValues };
  // Its size is the resumable connection's to check (it depends on the role: docs/resumption.md).
  if (!(resume instanceof Uint8Array)) throw new Error('resume must be bytes');
  return { versions, nonce, scheme, addressBinding, resume, values: offersValues };
}
