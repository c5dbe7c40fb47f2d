import { tcp } from '@msc/transport-tcp';
import { emptyArraysFrame, Wire, WirePeer } from '../wire-peer.ts';
import type { Attack, AttackContext } from './attack.ts';
import { sleep } from './raw-socket.ts';
import { endCode, sessionEnd } from './session-end.ts';

/**
 * Class 4 before authentication, against the target process: the attacks of `budget-attacks.ts`
 * (which `budgets.test.ts` runs in process, over memory and TCP) aimed at a real listener. The target's
 * identity scope keeps a session in its authentication window for as long as the peer does not prove
 * an identity (up to the handshake timeout), so a raw peer that sends a hello naming the identity
 * scheme, and then never answers the challenge, attacks exactly that window: what the session holds
 * and decodes before anyone is authenticated.
 */

/** The identity authenticator's scheme (`@msc/identity`'s `IDENTITY_SCHEME`, as a peer written from the spec would send it). */
const identityScheme = 'msc-ed25519/1';

/** A raw peer on a new TCP connection to the target's identity scope, its hello sent. */
async function authenticatingPeer(context: AttackContext): Promise<WirePeer> {
  const connection = await tcp().dial(context.target.addresses.identityTcp);
  context.defer(() => connection.abort(new Error('the attack is over')));
  const peer = new WirePeer(connection);
  peer.sendHello({ scheme: identityScheme });
  // The target's hello and challenge: from then on the session is authenticating.
  await sleep(100);
  return peer;
}

/** The code the next identity-scope session ending after `since` ended with (`up`: none within 5 s). */
async function endOfNextSession(context: AttackContext, since: number): Promise<string> {
  const end = await context.target.nextEnd('identityTcp', since, 5_000);
  if (end === undefined) return 'up';
  context.note(end.message);
  return endCode(end);
}

/**
 * Frames of 16 KiB stream items (64 per scale unit) while the session authenticates: each within the
 * handshake's frame cap, together past `maxHeldBytes` (64 KiB). Holds: the session ends with `limit`
 * after about 64 KiB, whatever the peer sends after.
 */
async function heldBytesWhileAuthenticating(context: AttackContext): Promise<string> {
  const peer = await authenticatingPeer(context);
  const payload = new Uint8Array(16 * 1024);
  for (let index = 0; index < 64 * context.scale && peer.closeReason === undefined; index++) {
    peer.send([Wire.StreamItems, 1000 + 2 * index, payload]);
  }
  await context.sampleMemory();
  return sessionEnd(context, 'identityTcp', 5_000);
}

/**
 * One 1 MiB frame (one message: a CBOR array of a million empty arrays, tens of MiB once decoded)
 * while the session authenticates, 4 per scale unit on fresh connections. Holds: past
 * `maxHandshakeFrameBytes` (64 KiB) the frame is refused before it is decoded, `limit` or `protocol`.
 */
async function megabyteFrameWhileAuthenticating(context: AttackContext): Promise<string> {
  const frame = emptyArraysFrame(1024 * 1024);
  let code = 'up';
  for (let index = 0; index < 4 * context.scale; index++) {
    const since = context.target.ends.length;
    const peer = await authenticatingPeer(context);
    peer.sendRaw(frame);
    code = await endOfNextSession(context, since);
    if (code === 'up') break;
  }
  await context.sampleMemory();
  return code;
}

/**
 * A small frame (about 2 KB) holding an array of 2,000 numbers while the session authenticates, 8
 * per scale unit on fresh connections. Holds: past the handshake's `maxCollectionLength` (1,024) it is
 * refused while decoding, before the array is built: `limit` or `protocol`.
 */
async function wideMessageWhileAuthenticating(context: AttackContext): Promise<string> {
  let code = 'up';
  for (let index = 0; index < 8 * context.scale; index++) {
    const since = context.target.ends.length;
    const peer = await authenticatingPeer(context);
    peer.send([Wire.StreamItems, 1000, Array.from({ length: 2_000 }, () => 0)]);
    code = await endOfNextSession(context, since);
    if (code === 'up') break;
  }
  await context.sampleMemory();
  return code;
}

/** Class 4 before authentication: raw peers that stay in the identity scope's authentication window. */
export const handshakeAttacks: readonly Attack[] = [
  {
    id: 'held-bytes-while-authenticating',
    attackClass: 4,
    description: 'a hello naming the identity scheme, then 64 frames of 16 KiB items, never authenticating',
    endpoint: 'identityTcp',
    expected: ['limit'],
    memoryBoundMiB: 8,
    run: heldBytesWhileAuthenticating,
  },
  {
    id: 'megabyte-frame-while-authenticating',
    attackClass: 4,
    description: '4 sessions, each sending one 1 MiB frame of a million empty arrays while authenticating',
    endpoint: 'identityTcp',
    expected: ['limit', 'protocol'],
    memoryBoundMiB: 8,
    run: megabyteFrameWhileAuthenticating,
  },
  {
    id: 'wide-message-while-authenticating',
    attackClass: 4,
    description: '8 sessions, each sending an array of 2,000 numbers in a 2 KB frame while authenticating',
    endpoint: 'identityTcp',
    expected: ['limit', 'protocol'],
    memoryBoundMiB: 8,
    run: wideMessageWhileAuthenticating,
  },
];
