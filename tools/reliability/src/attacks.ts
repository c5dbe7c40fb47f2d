import { connect } from 'node:net';
import type { SessionLimits } from '@msc/session';
import { Session, type TerminationReason, unauthenticated } from '@msc/session';
import { tcp } from '@msc/transport-tcp';
import { CrashWatch } from './crash-watch.ts';
import { bystander, type HostileTarget, hostileTarget } from './hostile-target.ts';
import { sleep, turns } from './turns.ts';
import { frameOf, helloBytes, Wire, WireReference, wireCodec } from './wire-peer.ts';

/** How one attack went. */
export interface AttackOutcome {
  readonly attack: string;
  /** How the attacked session ended; `undefined` when it was still up after the bound. */
  readonly reason: TerminationReason | undefined;
  /** Calls a bystander session in the same process served while the attack ran (at least one). */
  readonly bystanderCalls: number;
  /** From the first byte of the attack to the end of the attacked session, in milliseconds. */
  readonly milliseconds: number;
  /** Uncaught exceptions and unhandled rejections seen meanwhile (must be none). */
  readonly incidents: readonly string[];
}

/** Resolves with `promise`'s value, or `undefined` after `milliseconds`. */
export function within<T>(promise: Promise<T>, milliseconds: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), milliseconds);
    }),
  ]);
}

/**
 * Runs `attack` while a bystander session keeps making calls, one after the other; the attack
 * resolves with the attacked session's termination reason (or `undefined` if it survived).
 */
export async function underAttack(
  attack: string,
  run: () => Promise<TerminationReason | undefined>,
): Promise<AttackOutcome> {
  const watch = new CrashWatch();
  const witness = bystander();
  await witness.check();
  const before = witness.served();
  let attacking = true;
  const serving = (async () => {
    while (attacking) await witness.check();
  })();
  const started = performance.now();
  try {
    const reason = await run();
    const milliseconds = performance.now() - started;
    attacking = false;
    await serving;
    await witness.check(); // still served after the attack
    return {
      attack,
      reason,
      bystanderCalls: witness.served() - before,
      milliseconds,
      incidents: watch.incidents,
    };
  } finally {
    attacking = false;
    await serving.catch(() => {});
    watch[Symbol.dispose]();
    await witness.close();
  }
}

/** Completes the handshake as an honest peer would, so the attack hits an established session. */
async function establish(target: HostileTarget): Promise<void> {
  target.peer.handshake();
  await within(target.session.established, 5_000);
}

/**
 * 51 calls to `hang` (which never returns) against `maxAnswers` 50, in frames of 10; the call at
 * `index` has question id `idOf(index)`.
 */
async function floodAnswers(idOf: (index: number) => number): Promise<TerminationReason | undefined> {
  const target = hostileTarget({ limits: { maxAnswers: 50 } });
  await establish(target);
  for (let first = 0; first < 51; first += 10) {
    const calls = [];
    for (let index = first; index < Math.min(first + 10, 51); index++)
      calls.push([Wire.Call, idOf(index), 0, 0, 'hang', []]);
    target.peer.send(...calls);
    await turns(1);
  }
  return within(target.session.closed, 5_000);
}

/** The attacks on protocol limits, each against a fresh listener session with small limits. */
export const limitAttacks = {
  /** One message larger than `maxFrameBytes` (64 KiB): a 100 KiB byte string in a call. */
  async oversizedMessage(): Promise<TerminationReason | undefined> {
    const target = hostileTarget({ limits: { maxFrameBytes: 64 * 1024 } });
    await establish(target);
    target.peer.send([Wire.Call, 0, 0, 0, 'echo', [new Uint8Array(100 * 1024)]]);
    return within(target.session.closed, 5_000);
  },
  /** Arguments nested 200 arrays deep against `maxDepth` 64 (the default). */
  async deepNesting(): Promise<TerminationReason | undefined> {
    const target = hostileTarget();
    let value: unknown = 1;
    for (let depth = 0; depth < 200; depth++) value = [value];
    await establish(target);
    target.peer.send([Wire.Call, 0, 0, 0, 'echo', [value]]);
    return within(target.session.closed, 5_000);
  },
  /** 101 distinct capabilities in one call against `maxImports` 100. */
  async importFlood(): Promise<TerminationReason | undefined> {
    const target = hostileTarget({ limits: { maxImports: 100 } });
    await establish(target);
    const references = Array.from({ length: 101 }, (_, index) => new WireReference([0, index + 1]));
    target.peer.send([Wire.Call, 0, 0, 0, 'echo', references]);
    return within(target.session.closed, 5_000);
  },
  /** 51 calls that never return against `maxAnswers` 50, sent in frames of 10. */
  answerFlood: () => floodAnswers((index) => index),
  /**
   * As `answerFlood`, with question ids that all want the same slot of the session's answer table
   * (multiples of 2^20: its slots are `id & (capacity - 1)`), so that every answer past the first
   * goes to the table's overflow: the limit must hold there too.
   */
  answerFloodAtCollidingIds: () => floodAnswers((index) => index * 2 ** 20),
  /** A connection that sends nothing at all, against `handshakeTimeoutMs` 300. */
  async silentConnection(): Promise<TerminationReason | undefined> {
    const target = hostileTarget({ limits: { handshakeTimeoutMs: 300 } });
    return within(target.session.closed, 5_000);
  },
  /** A hello, then nothing (no configuration), against `handshakeTimeoutMs` 300. */
  async helloThenSilence(): Promise<TerminationReason | undefined> {
    const target = hostileTarget({ limits: { handshakeTimeoutMs: 300 } });
    target.peer.sendHello();
    return within(target.session.closed, 5_000);
  },
  /**
   * Half a hello over real TCP (127.0.0.1): the length prefix announces the whole hello, then only
   * half its bytes come, against `handshakeTimeoutMs` 300. The transport keeps waiting for the rest;
   * the session's timer must end it.
   */
  async halfHelloOverTcp(): Promise<TerminationReason | undefined> {
    const transport = tcp();
    const sessions: Session<unknown>[] = [];
    const listener = await transport.listen('tcp:127.0.0.1:0', (connection) => {
      sessions.push(
        new Session({
          connection,
          role: 'listener',
          authenticator: unauthenticated(),
          limits: { handshakeTimeoutMs: 300 },
        }),
      );
    });
    const port = Number(listener.address.slice(listener.address.lastIndexOf(':') + 1));
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      const hello = helloBytes(wireCodec());
      const prefix = new Uint8Array(4);
      new DataView(prefix.buffer).setUint32(0, hello.byteLength);
      socket.write(prefix);
      socket.write(hello.subarray(0, hello.byteLength >> 1));
      for (let attempt = 0; attempt < 100 && sessions.length === 0; attempt++) await sleep(10);
      const session = sessions[0];
      return session === undefined ? undefined : await within(session.closed, 5_000);
    } finally {
      socket.destroy();
      await listener.close();
    }
  },
};

/** The names of {@link limitAttacks}. */
export type LimitAttack = keyof typeof limitAttacks;

/** What the sender's side looked like while its peer never read. */
export interface NeverReadingFigures {
  readonly kind: 'call-results' | 'byte-stream';
  /** Bytes the session was asked to produce (results, or the stream's size). */
  readonly requestedBytes: number;
  /** The session's connection `bufferedBytes`: largest seen and at the end. */
  readonly maxBufferedBytes: number;
  readonly finalBufferedBytes: number;
  /** Growth of the process's `arrayBuffers` (after a collection), in bytes. */
  readonly arrayBufferGrowth: number;
  /** Whether the session ended (it does not: the peer breaks no rule, it only reads nothing). */
  readonly terminated: boolean;
}

/**
 * A peer that never starts its connection (reads nothing) but asks for data: `call-results` makes
 * `calls` calls whose results are `resultBytes` each; `byte-stream` asks for one byte stream of
 * `streamBytes` and grants it unlimited credit (it knows the stream id without reading: the
 * listener's first stream is 1). Measures the sending session's `bufferedBytes` and memory.
 */
export async function neverReadingPeer(
  kind: 'call-results' | 'byte-stream',
  options: {
    calls?: number;
    resultBytes?: number;
    streamBytes?: number;
    limits?: Partial<SessionLimits>;
  } = {},
): Promise<NeverReadingFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = process.memoryUsage().arrayBuffers;
  const target = hostileTarget({
    peer: { read: false },
    ...(options.limits ? { limits: options.limits } : {}),
  });
  target.peer.handshake();
  let maxBufferedBytes = 0;
  const sample = () => {
    maxBufferedBytes = Math.max(maxBufferedBytes, target.connection.bufferedBytes);
  };
  let requestedBytes: number;
  if (kind === 'call-results') {
    const calls = options.calls ?? 200;
    const resultBytes = options.resultBytes ?? 64 * 1024;
    requestedBytes = calls * resultBytes;
    for (let first = 0; first < calls; first += 20) {
      const batch = [];
      for (let id = first; id < Math.min(first + 20, calls); id++) {
        batch.push([Wire.Call, id, 0, 0, 'big', [resultBytes]]);
      }
      target.peer.send(...batch);
      await turns(2);
      sample();
    }
  } else {
    requestedBytes = options.streamBytes ?? 16 * 1024 * 1024;
    target.peer.send([Wire.Call, 0, 0, 0, 'download', [requestedBytes]]);
    await turns(3);
    target.peer.send([Wire.StreamCredit, 1, 2 ** 40, 2 ** 40, 64 * 1024]);
    for (let index = 0; index < 30; index++) {
      await turns(2);
      sample();
    }
  }
  await turns(3);
  sample();
  const finalBufferedBytes = target.connection.bufferedBytes;
  gc?.();
  const arrayBufferGrowth = process.memoryUsage().arrayBuffers - baseline;
  const terminated = target.session.isTerminated;
  await target.session.terminate('measurement over');
  return { kind, requestedBytes, maxBufferedBytes, finalBufferedBytes, arrayBufferGrowth, terminated };
}

/** Encodes messages as one frame with the hostile codec (for tests that build frames by hand). */
export function framedMessages(...messages: unknown[]): Uint8Array {
  const codec = wireCodec();
  return frameOf(messages.map((message) => codec.encode(message).slice()));
}
