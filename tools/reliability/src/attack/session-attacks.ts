import { proxy } from '@msc/eventual';
import { Scope, unauthenticated } from '@msc/session';
import { tcp } from '@msc/transport-tcp';
import type { ITarget } from '../target-service.ts';
import {
  frameOf,
  type HelloFields,
  helloBytes,
  messagesOf,
  Wire,
  WirePeer,
  WireReference,
  wireCodec,
} from '../wire-peer.ts';
import type { Attack, AttackContext } from './attack.ts';
import { openSocket, sleep, write } from './raw-socket.ts';
import { sessionEnd } from './session-end.ts';

/**
 * A raw session peer (WirePeer) on a real TCP connection to the target's bare scope. With `read`
 * false it never reads what the target sends.
 */
async function rawPeer(context: AttackContext, read = true): Promise<WirePeer> {
  const connection = await tcp().dial(context.target.addresses.scopeTcp);
  const peer = new WirePeer(connection, { read });
  context.defer(() => connection.abort(new Error('the attack is over')));
  return peer;
}

/**
 * Sends a hello and a `Configure`, then waits for the target's `Configure`: from then on the target
 * accepts frames up to its `maxFrameBytes` (before, a small handshake cap applies), as a well-behaved
 * peer waits for.
 *
 * @throws Error when the target's configuration does not come within 5 s
 */
async function handshake(peer: WirePeer, hello: HelloFields = {}): Promise<void> {
  peer.handshake(hello);
  for (let attempt = 0; attempt < 250; attempt++) {
    if (peer.messagesOfType(Wire.Configure).length > 0) return;
    if (peer.closeReason !== undefined) break;
    await sleep(20);
  }
  throw new Error(`the target sent no Configure (${peer.closeReason?.message ?? 'within 5 s'})`);
}

/**
 * Class 4, bytes before establishment: a hello, then one 14 MB frame of length-prefixed empty arrays
 * (2.8 million messages), all before `Configure`. Fixed: messages held before establishment are bounded
 * by bytes, so the session ends (`limit`, or `protocol` when the first one already is no `Configure`)
 * instead of holding hundreds of MB of heap.
 */
async function emptyArraysBeforeHandshake(context: AttackContext): Promise<string> {
  const socket = await openSocket(context.target.addresses.scopeTcp);
  context.defer(() => socket.destroy());
  socket.pause();
  const hello = helloBytes(wireCodec());
  const messages = 2_800_000;
  // Each message: a 4-byte length of 1, then 0x80 (an empty CBOR array).
  const frame = new Uint8Array(4 + messages * 5);
  const view = new DataView(frame.buffer);
  view.setUint32(0, messages * 5);
  for (let index = 0; index < messages; index++) {
    view.setUint32(4 + index * 5, 1);
    frame[4 + index * 5 + 4] = 0x80;
  }
  const helloRecord = new Uint8Array(4 + hello.byteLength);
  new DataView(helloRecord.buffer).setUint32(0, hello.byteLength);
  helloRecord.set(hello, 4);
  await write(socket, helloRecord);
  await write(socket, frame);
  await sleep(500);
  await context.sampleMemory();
  return sessionEnd(context, 'scopeTcp', 5_000);
}

/**
 * Class 4, decoding work: after the handshake, calls whose argument is one map of 300,000 keys (about
 * 2.6 MB each, 2 per scale unit). Fixed: the decoder bounds keys per record and work per frame, so the
 * session ends with `limit` before the event loop stalls for everyone.
 */
let wideCalls: Uint8Array[] = [];

/** Encodes the calls of {@link manyKeyRecords} (before the bystander starts: it is the attacker's own work). */
async function prepareManyKeyRecords(scale: number): Promise<void> {
  const wide: Record<string, number> = {};
  for (let index = 0; index < 300_000; index++) wide[`k${index}`] = index;
  const codec = wireCodec();
  wideCalls = Array.from({ length: 2 * scale }, (_, index) =>
    frameOf([codec.encode([Wire.Call, index, 0, 0, 'add', [1, wide]]).slice()]),
  );
}

async function manyKeyRecords(context: AttackContext): Promise<string> {
  const peer = await rawPeer(context);
  await handshake(peer);
  for (const frame of wideCalls) {
    if (!peer.sendRaw(frame)) break;
    await sleep(50);
  }
  wideCalls = [];
  return sessionEnd(context, 'scopeTcp', 8_000);
}

/**
 * Class 5, items beyond credit: a call whose ignored extra argument is a sequence the target receives
 * (so it is the sink, and nobody reads it), then 64 MiB of items (32 per scale unit of 64 items × 32 KiB)
 * pushed regardless of the credit the target granted. Fixed: items past the granted credit are a
 * protocol violation: the session ends with `protocol`.
 */
async function itemsBeyondCredit(context: AttackContext): Promise<string> {
  const peer = await rawPeer(context);
  await handshake(peer);
  const streamId = 2;
  peer.send([Wire.Call, 0, 0, 0, 'add', [1, new WireReference([3, streamId, 0, 0])]]);
  const items = Array.from({ length: 64 }, () => new Uint8Array(32 * 1024).fill(5));
  const message = peer.encode([Wire.StreamItems, streamId, items]);
  for (let index = 0; index < 32 * context.scale; index++) {
    if (!peer.sendRaw(frameOf([message]))) break;
    if (index % 8 === 7) {
      await sleep(10);
      await context.sampleMemory();
    }
  }
  return sessionEnd(context, 'scopeTcp', 5_000);
}

/**
 * Class 5, a huge declared capacity: the attacker is the sink of a byte stream the target produces
 * (`download(64 MiB)`), declares a window of 2^50 bytes and a batch size of 2^50, and never reads its
 * socket. Fixed: the declared capacity is clamped by a local limit, so the target holds no more than
 * its own budget; the session may stay up (`up`) or end with `limit`.
 */
async function hugeDeclaredCapacity(context: AttackContext): Promise<string> {
  const socket = await openSocket(context.target.addresses.scopeTcp);
  context.defer(() => socket.destroy());
  const codec = wireCodec();
  const returns: unknown[] = [];
  const reader = frameReader((frame, index) => {
    if (index === 0) return; // the target's hello
    for (const bytes of messagesOf(frame)) {
      try {
        const message = codec.decode(bytes);
        if (Array.isArray(message) && message[0] === Wire.Return) returns.push(message);
      } catch {
        // not ours to judge here
      }
    }
  });
  socket.on('data', reader);
  const send = (...messages: unknown[]) =>
    socket.write(record(frameOf(messages.map((message) => codec.encode(message).slice()))));
  socket.write(record(helloBytes(codec)));
  send([Wire.Configure, [0, 0]]);
  send([Wire.Call, 0, 0, 0, 'download', [64 * 1024 * 1024]]);
  // The answer names the stream: wait for it (the attacker reads until then).
  let streamId: number | undefined;
  for (let attempt = 0; attempt < 200 && streamId === undefined; attempt++) {
    await sleep(20);
    for (const message of returns) streamId ??= findStreamDescriptor((message as unknown[])[3]);
  }
  if (streamId === undefined) return 'error: no stream in the answer';
  // Stop reading: the target's socket fills, and what it holds is what its clamp allows.
  socket.off('data', reader);
  socket.pause();
  const huge = 2 ** 50;
  send([Wire.StreamCredit, streamId, huge, huge, huge]);
  await sleep(2_000);
  await context.sampleMemory();
  return sessionEnd(context, 'scopeTcp', 1_000);
}

/** A 4-byte big-endian length, then `frame`: one frame record of the TCP transport. */
function record(frame: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(4 + frame.byteLength);
  new DataView(bytes.buffer).setUint32(0, frame.byteLength);
  bytes.set(frame, 4);
  return bytes;
}

/** Splits a TCP byte stream into frame records (control words are skipped) and passes each frame on. */
function frameReader(onFrame: (frame: Uint8Array, index: number) => void): (chunk: Buffer) => void {
  let pending = new Uint8Array(0);
  let index = 0;
  return (chunk) => {
    const joined = new Uint8Array(pending.byteLength + chunk.byteLength);
    joined.set(pending);
    joined.set(chunk, pending.byteLength);
    let offset = 0;
    const view = new DataView(joined.buffer);
    while (offset + 4 <= joined.byteLength) {
      const word = view.getUint32(offset);
      if (word >= 0xffff_fff0) {
        offset += 4; // a ping or a pong (the attacks never see close notices they care about)
        continue;
      }
      if (offset + 4 + word > joined.byteLength) break;
      onFrame(joined.subarray(offset + 4, offset + 4 + word), index++);
      offset += 4 + word;
    }
    pending = joined.slice(offset);
  };
}

function findStreamDescriptor(value: unknown): number | undefined {
  if (value instanceof WireReference) {
    const descriptor = value.descriptor;
    return Array.isArray(descriptor) && descriptor[0] === 3 ? Number(descriptor[1]) : undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findStreamDescriptor(item);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Class 6: calls with 32 unique method names of 1 MiB each (per scale unit), on a fresh session each
 * (the miss cache was shared across sessions). Fixed: names have a bounded length and a miss is
 * remembered nowhere: the call fails or the session ends (`protocol`/`limit`), and the target's heap
 * after garbage collection does not keep the names.
 */
async function hugeMethodNames(context: AttackContext): Promise<string> {
  let code = 'up';
  for (let index = 0; index < 32 * context.scale; index++) {
    const peer = await rawPeer(context);
    await handshake(peer);
    const name = `m${index}${'x'.repeat(1024 * 1024)}`;
    peer.send([Wire.Call, 0, 0, 0, name, []]);
    // The answer (an error) or the end of the session; then the next session.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (peer.closeReason !== undefined || peer.messagesOfType(Wire.Return).length > 0) break;
      await sleep(10);
    }
    const answer = peer.messagesOfType(Wire.Return)[0];
    if (answer !== undefined) code = 'call-failed';
    peer.connection.close();
  }
  const end = context.target.ends
    .slice(context.endsSince)
    .find((candidate) => candidate.code !== 'closed' && candidate.code !== 'connection-lost');
  await context.sampleMemory();
  return end?.code ?? code;
}

/**
 * Class 11: a real session hands the target a capability whose methods `valueOf`, `toString` and
 * `toJSON` count their calls, as the argument of methods that coerce it (`count(to)` and
 * `download(size)` read `Number(...)` of their argument). Fixed: a proxy answers coercions locally,
 * never with a remote call: names `no-remote-calls`, or the methods that were called.
 */
async function coercionsOfProxies(context: AttackContext): Promise<string> {
  const called: string[] = [];
  class Coercible {
    valueOf() {
      called.push('valueOf');
      return 3;
    }
    toString() {
      called.push('toString');
      return '3';
    }
    toJSON() {
      called.push('toJSON');
      return 3;
    }
  }
  const scope = new Scope({ transport: tcp(), authenticator: unauthenticated() });
  context.defer(() => scope.close());
  const root = scope.connect<ITarget>(context.target.addresses.scopeTcp);
  const spy = proxy(new Coercible());
  const attempts: Promise<unknown>[] = [
    (async () => {
      for await (const _ of root.count(spy as never)) {
        // the items do not matter
      }
    })(),
    root.echo(spy as never),
    root.add(spy as never),
  ];
  await Promise.allSettled(attempts.map((attempt) => Promise.race([attempt, sleep(3_000)])));
  await sleep(200);
  spy[Symbol.dispose]();
  return called.length === 0 ? 'no-remote-calls' : `remote-calls: ${[...new Set(called)].join(', ')}`;
}

/**
 * Class 3, calls on answers that never were (protocol version 5, finishing returns): 20,000 calls per
 * scale unit, each pipelined on an answer id the attacker never used, with a capability of the target's
 * own in the arguments. A finished answer looks the same, so each is answered `TargetFinished` at once:
 * the target keeps nothing for them, releases the arguments and stays up for the attacker (it reads).
 */
async function callsOnAnswersThatNeverWere(context: AttackContext): Promise<string> {
  const peer = await rawPeer(context);
  await handshake(peer, { versions: [5] });
  for (let batch = 0; batch < 20 * context.scale; batch++) {
    const calls = Array.from({ length: 1000 }, (_, index) => {
      const id = 1 + batch * 1000 + index;
      return [Wire.Call, id, 1, 1_000_000 + id, 'add', [new WireReference([1, 0])]];
    });
    if (!peer.send(...calls)) break;
    await sleep(5);
    if (batch % 5 === 4) await context.sampleMemory();
  }
  return sessionEnd(context, 'scopeTcp', 2_000);
}

/**
 * Class 3, stand-ins without their copy (protocol version 5): calls whose argument names an answer the
 * attacker never used (`[2, id]`), each of which the target holds as a stand-in for an `AnswerCopy`
 * that never comes. Stand-ins count against `maxAnswers` with the answers, so the session ends with
 * `limit` at 10,000 instead of holding one per call.
 */
async function standInsWithoutCopies(context: AttackContext): Promise<string> {
  const peer = await rawPeer(context);
  await handshake(peer, { versions: [5] });
  for (let batch = 0; batch < 12 * context.scale; batch++) {
    const calls = Array.from({ length: 1000 }, (_, index) => {
      const id = 1 + batch * 1000 + index;
      return [Wire.Call, id, 0, 0, 'add', [new WireReference([2, 1_000_000 + id])]];
    });
    if (!peer.send(...calls) || peer.closeReason !== undefined) break;
    await sleep(5);
    if (batch % 4 === 3) await context.sampleMemory();
  }
  return sessionEnd(context, 'scopeTcp', 5_000);
}

/** Classes 3, 4, 5, 6 and 11: hostile sessions over a real TCP connection to the bare scope. */
export const sessionAttacks: readonly Attack[] = [
  {
    id: 'calls-on-answers-that-never-were',
    attackClass: 3,
    description: '20,000 calls (version 5) pipelined on answer ids never used, a capability in each',
    endpoint: 'scopeTcp',
    expected: ['up'],
    memoryBoundMiB: 48,
    run: callsOnAnswersThatNeverWere,
  },
  {
    id: 'stand-ins-without-copies',
    attackClass: 3,
    description: '12,000 calls (version 5) whose argument names an answer never used, never copied',
    endpoint: 'scopeTcp',
    expected: ['limit'],
    memoryBoundMiB: 48,
    run: standInsWithoutCopies,
  },
  {
    id: 'empty-arrays-before-handshake',
    attackClass: 4,
    description: 'a hello, then one 14 MB frame of 2.8 million empty arrays, before `Configure`',
    endpoint: 'scopeTcp',
    expected: ['limit', 'protocol'],
    memoryBoundMiB: 96,
    run: emptyArraysBeforeHandshake,
  },
  {
    id: 'records-of-300k-keys',
    attackClass: 4,
    description: 'calls whose argument is a map of 300,000 keys (2.6 MB), 2 of them',
    endpoint: 'scopeTcp',
    expected: ['limit'],
    memoryBoundMiB: 128,
    latencyBoundMs: 1_000,
    timeoutMs: 20_000,
    prepare: prepareManyKeyRecords,
    run: manyKeyRecords,
  },
  {
    id: 'items-beyond-credit',
    attackClass: 5,
    description:
      '64 MiB of items into a sequence the target received in an ignored argument, past its credit',
    endpoint: 'scopeTcp',
    expected: ['protocol'],
    memoryBoundMiB: 48,
    run: itemsBeyondCredit,
  },
  {
    id: 'huge-declared-capacity',
    attackClass: 5,
    description: 'the sink of a 64 MiB byte stream declares a window of 2^50 bytes, then never reads',
    endpoint: 'scopeTcp',
    expected: ['up', 'limit'],
    memoryBoundMiB: 48,
    run: hugeDeclaredCapacity,
  },
  {
    id: 'unique-1mib-method-names',
    attackClass: 6,
    description: '32 sessions, each calling a unique 1 MiB method name',
    endpoint: 'scopeTcp',
    expected: ['protocol', 'limit', 'call-failed'],
    // Remembered names would keep 32 MiB (64 at scale 2) after a full collection: what the target
    // retains (heap + external after collection) is held to 32 MiB, and grows 4-10 MiB.
    // The peak RSS measures V8's lag instead: each session leaves about 3 MiB of garbage (the socket's
    // 64 KiB chunks and the assembled frame, external; the decoded name, young), collected by the next
    // scavenge, which comes after ~16 MiB of young allocation (Node 20's largest semi-space). Measured
    // with --trace-gc at a1b7197: only scavenges run during the attack, and the peak
    // is flat in the attack's scale: +47.0 / +48.1 / +47.9 MiB for 32 / 64 / 128 sessions (scale 1, 2, 4).
    // A frame's chunks and assembly are the floor of Node's socket for any 1 MiB frame, legitimate or
    // not (a server socket cannot read into a caller's buffer), so the peak is bounded by V8's constants,
    // not by the attack: 64 MiB bounds it; retention would show after collection, not in the peak.
    memoryBoundMiB: 32,
    peakRssBoundMiB: 64,
    timeoutMs: 60_000,
    run: hugeMethodNames,
  },
  {
    id: 'coercion-remote-calls',
    attackClass: 11,
    description:
      'a capability whose `valueOf`, `toString` and `toJSON` count calls, passed where the target coerces it',
    endpoint: 'scopeTcp',
    expected: ['no-remote-calls'],
    memoryBoundMiB: 16,
    run: coercionsOfProxies,
  },
];
