import { Codec } from '@msc/serialization';
import type { Hello } from './protocol.ts';
import { isId } from './violations.ts';

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
