// The hostile worker SIP's behaviours (class 7), shared by hostile-values.sip.ts (values mode, after
// `enableMessagePortValues()`) and hostile-bytes.sip.ts (the default bytes mode). The SIP starts as a
// real one (`runSip()`), calls the parent's root (`Nothing`: it was given no capability) to learn that
// its session is established, prints `sip-saw <json>` with what that call answered, then posts
// `behaviour`'s garbage straight on its session's MessagePort (`workerData.mscSip.port`, the port
// `runSip()` reads from too) and idles until its parent ends it. Bundled with esbuild by the attack
// target (Node 20 cannot load TypeScript in a worker). Bounded: the SIP exits by itself after 30 s.
import { MessageChannel, type MessagePort, workerData } from 'node:worker_threads';
import type { Proxy } from '@msc/eventual';
import { runSip } from '@msc/sip';

/** Message type numbers of the session protocol (as a peer written from the spec would have them). */
const Call = 3;
const Release = 6;

/** What a hostile behaviour posts, by name: each returns how many messages it posted. */
const behaviours: Record<string, (port: MessagePort) => number> = {
  /** A values frame whose values are no array of messages. */
  'values-not-an-array': (port) => post(port, { msc: 'values', bytes: 16, values: { not: 'an array' } }),
  /** A values frame without its declared size. */
  'values-without-size': (port) => post(port, { msc: 'values', values: [[Call, 1, 0, 0, 'echo', []]] }),
  /** A values frame declaring 2^53 bytes. */
  'values-huge-declared-size': (port) =>
    post(port, { msc: 'values', bytes: 2 ** 53, values: [[Call, 1, 0, 0, 'echo', []]] }),
  /** A values frame declaring 8 bytes that carries a 4 MiB method name. */
  'values-understated-size': (port) =>
    post(port, { msc: 'values', bytes: 8, values: [[Call, 1, 0, 0, 'm'.repeat(4 * 1024 * 1024), []]] }),
  /**
   * A call whose argument is an array nested as deep as this thread can serialize (20,000 levels, or
   * the deepest of 10,000, 5,000, 2,000 and 1,000 that its stack allows).
   */
  'values-deeply-nested': (port) => {
    for (const depth of [20_000, 10_000, 5_000, 2_000, 1_000]) {
      let nested: unknown[] = [];
      for (let level = 0; level < depth; level++) nested = [nested];
      try {
        port.postMessage({ msc: 'values', bytes: 1_000, values: [[Call, 1, 0, 0, 'echo', [nested]]] });
        return depth;
      } catch {
        // Too deep for this thread's serializer: one level of magnitude less.
      }
    }
    throw new Error('no nested value could be posted');
  },
  /** A call whose argument contains itself. */
  'values-cyclic': (port) => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic, { self: cyclic });
    return post(port, { msc: 'values', bytes: 1_000, values: [[Call, 1, 0, 0, 'echo', cyclic]] });
  },
  /** A call whose argument is a MessagePort (transferred): a channel of its own into the parent. */
  'values-transferred-port': (port) => {
    const { port1 } = new MessageChannel();
    port.postMessage({ msc: 'values', bytes: 64, values: [[Call, 1, 0, 0, 'echo', [port1]]] }, [port1]);
    return 1;
  },
  /** A call whose arguments are values a clone carries but the session does not: Map, RegExp, Date, BigInt, Error. */
  'values-uncloneable-looking': (port) =>
    post(port, {
      msc: 'values',
      bytes: 1_000,
      values: [
        [Call, 1, 0, 0, 'echo', [new Map([[1, 2]]), /x/g, new Date(0), 10n, new Error('x'), new Set([1])]],
      ],
    }),
  /** Messages whose type tags no session knows. */
  'values-unknown-tags': (port) =>
    post(port, { msc: 'values', bytes: 64, values: [[99, 1, 2], ['call', 1], [null], []] }),
  /** A call on an export the parent never gave it, then a release of one. */
  'values-forged-capability': (port) =>
    post(port, {
      msc: 'values',
      bytes: 64,
      values: [
        [Call, 1, 0, 7, 'echo', []],
        [Release, 9, 1],
      ],
    }),
  /** 200,000 well-formed acknowledgements of nothing, as fast as the port takes them. */
  'acknowledgement-flood': (port) => {
    for (let index = 0; index < 200_000; index++) port.postMessage({ msc: 'ack', bytes: 0 });
    return 200_000;
  },
  /**
   * 10,000 values frames of 16 calls each on the parent's root (which is `Nothing`), without waiting,
   * each frame's size declared generously (16 KiB): a flood that breaks no rule.
   */
  'call-flood': (port) => {
    let question = 1_000;
    for (let frame = 0; frame < 10_000; frame++) {
      const values = Array.from({ length: 16 }, () => [Call, question++, 0, 0, 'echo', ['x'.repeat(64)]]);
      port.postMessage({ msc: 'values', bytes: 16 * 1024, values });
    }
    return 10_000;
  },
  /** Bytes mode: a frame of random garbage. */
  'bytes-garbage': (port) => post(port, crypto.getRandomValues(new Uint8Array(1024))),
  /** Bytes mode: one frame past the 16 MiB frame limit. */
  'bytes-past-frame-limit': (port) => post(port, new Uint8Array(16 * 1024 * 1024 + 1)),
  /** Bytes mode: a values frame, though values mode was never offered. */
  'bytes-values-frame': (port) =>
    post(port, { msc: 'values', bytes: 64, values: [[Call, 1, 0, 0, 'echo', []]] }),
  /** Bytes mode: an acknowledgement of more bytes than the parent ever sent. */
  'bytes-acknowledgement-overflow': (port) => post(port, { msc: 'ack', bytes: 2 ** 40 }),
  /** Bytes mode: a string frame of 16 MiB, where a peer may send strings of at most 128 characters. */
  'bytes-long-string-frame': (port) => post(port, 'x'.repeat(16 * 1024 * 1024)),
  /** Bytes mode: a short string frame with a character that is no byte. */
  'bytes-wide-string-frame': (port) => post(port, 'ok\u0100'),
  /** Bytes mode: a control message no connection knows, and a bare string. */
  'bytes-unknown-control': (port) => post(port, { msc: 'shutdown-everything' }) + post(port, 'hello?'),
};

/** Behaviours that break no rule of the protocol, only flood it: the SIP leaves 1 s after posting. */
const floods = new Set(['acknowledgement-flood', 'call-flood']);

function post(port: MessagePort, message: unknown): number {
  port.postMessage(message);
  return 1;
}

/** Runs this worker as a hostile SIP; `init.behaviour` names what it posts. */
export function runHostileWorker(): void {
  setTimeout(() => process.exit(0), 30_000);
  runSip<Proxy<{ echo(value: unknown): Promise<unknown> }>, { behaviour: string }>(({ parent, init }) => {
    void (async () => {
      let saw: string;
      try {
        await parent.echo('is anyone there?');
        saw = 'answered';
      } catch (error) {
        saw = (error as Error).name;
      }
      const port = (workerData as { mscSip: { port: MessagePort } }).mscSip.port;
      let posted: number | string;
      try {
        posted = behaviours[init.behaviour]?.(port) ?? 'no such behaviour';
      } catch (error) {
        posted = `posting failed: ${(error as Error).message}`;
      }
      console.log(`sip-saw ${JSON.stringify({ behaviour: init.behaviour, parentRootCall: saw, posted })}`);
      if (floods.has(init.behaviour)) setTimeout(() => process.exit(0), 1_000);
    })();
    return undefined;
  });
}
