/**
 * The resume secret and the proof a resuming dialer gives (docs/resumption.md#secret). WebCrypto
 * HMAC-SHA-256 only, so the browser entry can use it.
 *
 * - secret = HMAC(dialerHalf ‖ listenerHalf, "msc-resume-secret" ‖ transcript): bound to the
 *   original handshake's transcript (both hellos, both nonces).
 * - proof = HMAC(secret, "msc-resume-proof" ‖ newTranscript ‖ received): bound to the new
 *   connection's hellos, so a recorded proof is worthless on any other connection.
 * - after a resume, secret' = HMAC(secret, "msc-resume-next" ‖ newTranscript): each secret is used once.
 */

import { concatBytes } from './concat-bytes.ts';

const encoder = new TextEncoder();

async function hmac(key: Uint8Array, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    key as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const data = concatBytes(parts) as Uint8Array<ArrayBuffer>;
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, data));
}

function countBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(count));
  return bytes;
}

/** The session's first resume secret, from both random halves and the original transcript. */
export function deriveSecret(
  dialerHalf: Uint8Array,
  listenerHalf: Uint8Array,
  transcript: Uint8Array,
): Promise<Uint8Array> {
  return hmac(concatBytes([dialerHalf, listenerHalf]), encoder.encode('msc-resume-secret'), transcript);
}

/** The proof for a resume over the connection whose hellos are `transcript`. */
export function resumeProof(
  secret: Uint8Array,
  transcript: Uint8Array,
  received: number,
): Promise<Uint8Array> {
  return hmac(secret, encoder.encode('msc-resume-proof'), transcript, countBytes(received));
}

/** The secret that replaces `secret` once a resume over `transcript` succeeded. */
export function nextSecret(secret: Uint8Array, transcript: Uint8Array): Promise<Uint8Array> {
  return hmac(secret, encoder.encode('msc-resume-next'), transcript);
}

/** Compares two byte strings in time that depends on their length only. */
export function constantTimeEqual(first: Uint8Array, second: Uint8Array): boolean {
  if (first.byteLength !== second.byteLength) return false;
  let difference = 0;
  for (let index = 0; index < first.byteLength; index++) difference |= first[index]! ^ second[index]!;
  return difference === 0;
}
