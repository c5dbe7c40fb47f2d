import { AbortedError, bytes, type Proxy, proxy, sequence } from '@msc/eventual';
import {
  ParkedSessions,
  Session,
  type SessionOptions,
  type SessionStats,
  type TraceEvent,
  traceMessages,
  unauthenticated,
} from '@msc/session';
import type { Connection } from '@msc/transport';
import { memoryPair } from '@msc/transport-memory';
import { SeededRandom } from './seeded-random.ts';
import { SeededScheduler } from './seeded-scheduler.ts';
import { eventually } from './turns.ts';
import { type IWorker, Worker } from './workload-worker.ts';

/** How a seed breaks the connection. */
export type BreakPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'after-frames'; readonly frames: number }
  | { readonly kind: 'break-now'; readonly step: number };

/** What one seeded run did and found. */
export interface FaultRun {
  readonly seed: number;
  readonly plan: BreakPlan;
  /** Whether the sessions ended before the workload had settled (the break hit it). */
  readonly broken: boolean;
  /**
   * With `resume`: whether the break was survived (the session resumed and never ended), and how
   * many resumes it took (0 without a break, or when the session was lost).
   */
  readonly resumed: boolean;
  readonly resumes: number;
  readonly operations: number;
  readonly fulfilled: number;
  /** Rejections by error name (only `AbortedError` is expected, and only after a break). */
  readonly rejections: Readonly<Record<string, number>>;
  /** Deliveries the scheduler ran, and turns it held deliveries back (the simulated delays). */
  readonly deliveries: number;
  readonly holds: number;
  /** What went wrong; empty when every property held. */
  readonly failures: readonly string[];
  /** The message trace of both sessions (types and ids, no payloads), for replay comparisons. */
  readonly trace: readonly string[];
  readonly milliseconds: number;
}

/** Options of {@link runFaultSeed}. */
export interface FaultRunOptions {
  /** Bound on the wait for the workload to settle and the tables to drain, in ms. Default 15,000. */
  readonly settleTimeoutMs?: number;
  /**
   * Sessions with resumption (docs/resumption.md): the break becomes a cut the dialer resumes from,
   * over a new memory pair under the same scheduler. Then a session that resumed must give every
   * operation its right value, as without a break; one lost (cut before its peer authenticated,
   * in the hellos or the authentication step) fails with `AbortedError`s only. Runs are not replayed message for message (the backoff
   * jitter and the secrets are random). Default false.
   */
  readonly resume?: boolean;
}

type Operation = (target: Proxy<IWorker>, random: SeededRandom) => Promise<void>;

/** A workload operation returned the wrong value (never excused by a break). */
class WrongValue extends Error {
  override name = 'WrongValue';
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const [left, right] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (left !== right) throw new WrongValue(`${what}: got ${left}, expected ${right}`);
}

async function collect<T>(items: AsyncIterable<T>, limit = Number.POSITIVE_INFINITY): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) {
    result.push(item);
    if (result.length >= limit) break; // cancels the rest
  }
  return result;
}

/** The mixed workload: calls, pipelined chains, capabilities both ways, loopbacks, sequences and byte streams. */
const operations: Record<string, Operation> = {
  async call(target, random) {
    const value = { n: random.integer(1000), list: [random.integer(10), 'x'] };
    expectEqual(await target.echo(value), value, 'echo');
  },
  async pipelinedAdds(target) {
    using clone = target.clone();
    void clone.add(2);
    expectEqual(await clone.add(3), 5, 'two adds on a clone');
  },
  async chain(target, random) {
    const first = target.clone();
    const second = first.clone();
    const third = second.clone();
    const n = random.integer(50);
    try {
      expectEqual(await third.add(n), n, 'add at the end of a chain');
    } finally {
      for (const link of [first, second, third]) link[Symbol.dispose]();
    }
  },
  async passCapability(target, random) {
    const local = proxy<IWorker>(new Worker());
    const n = random.integer(50);
    try {
      expectEqual(await target.callBack(local, n), n, 'call back into a passed capability');
    } finally {
      local[Symbol.dispose]();
    }
  },
  async loopback(target, random) {
    const local = proxy<IWorker>(new Worker());
    const back = target.echoCapability(local);
    const n = random.integer(50);
    try {
      // Pipelined on a result that comes home: the embargo keeps instance order.
      void back.add(n);
      expectEqual(await back.add(1), n + 1, 'adds through a capability that came home');
    } finally {
      back[Symbol.dispose]();
      local[Symbol.dispose]();
    }
  },
  async sequenceResult(target, random) {
    const count = random.between(0, 40);
    const early = random.chance(0.3) ? random.between(1, 5) : Number.POSITIVE_INFINITY;
    const items = await collect(target.count(count), early);
    const expected = Array.from({ length: Math.min(count, early) }, (_, index) => index);
    expectEqual(items, expected, 'sequence result');
  },
  async sequenceArgument(target, random) {
    const [items, writer] = sequence<number>({ capacity: 8 });
    const total = target.sum(items);
    // A call that never reaches its target aborts the streams in its arguments, so flush() and
    // close() below reject with AbortedError (docs/ownership.md#streams-who-ends-what). Aborting on
    // any failure as well ends the stream promptly with the call's own error when the call fails
    // after it arrived; it does nothing to a stream that already ended.
    total.catch((error: unknown) => writer.abort(error));
    const count = random.between(0, 30);
    try {
      for (let index = 1; index <= count; index++) {
        writer.write(index);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    } catch (error) {
      writer.abort(error);
      await total.catch(() => {});
      throw error;
    }
    expectEqual(await total, (count * (count + 1)) / 2, 'sum of a sequence argument');
  },
  async writerArgument(target, random) {
    const [items, writer] = sequence<number>({ capacity: 4 });
    const count = random.between(0, 30);
    const done = target.fill(writer, count);
    const [received] = await Promise.all([collect(items), done]);
    expectEqual(received.length, count, 'items written through a passed writer');
  },
  async bytesResult(target, random) {
    const size = random.between(0, 40_000);
    let total = 0;
    for await (const chunk of target.download(size)) total += chunk.byteLength;
    expectEqual(total, size, 'downloaded bytes');
  },
  async bytesArgument(target, random) {
    const [data, writer] = bytes({ capacity: 4_096 });
    const received = target.upload(data);
    received.catch((error: unknown) => writer.abort(error)); // as in sequenceArgument
    const size = random.between(0, 20_000);
    try {
      for (let sent = 0; sent < size; sent += 1_000) {
        writer.write(new Uint8Array(Math.min(1_000, size - sent)));
        await writer.flush();
      }
      await writer.close();
    } catch (error) {
      writer.abort(error);
      await received.catch(() => {});
      throw error;
    }
    expectEqual(await received, size, 'uploaded bytes');
  },
  async error(target, random) {
    const message = `boom ${random.integer(100)}`;
    const failure = await target.fail(message).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (failure instanceof AbortedError) throw failure;
    if (!(failure instanceof Error) || failure.name !== 'RangeError' || failure.message !== message) {
      throw new WrongValue(`expected RangeError '${message}', got ${String(failure)}`);
    }
  },
};

const operationNames = Object.keys(operations);

/** The break plan a seed chooses: a third no break, a third after a number of frames, a third at a delivery. */
export function breakPlanOf(random: SeededRandom): BreakPlan {
  const choice = random.integer(3);
  if (choice === 0) return { kind: 'none' };
  if (choice === 1) return { kind: 'after-frames', frames: random.between(2, 80) };
  return { kind: 'break-now', step: random.between(1, 60) };
}

/**
 * Runs the mixed workload for one seed between two sessions over a memory pair whose deliveries a
 * {@link SeededScheduler} orders and delays, breaking the connection as the seed's plan says.
 * Properties checked (failures are returned, not thrown): every operation settles within the bound;
 * without a break every operation gets its right value, with one the failures are `AbortedError`s
 * (never a wrong value); after a break both sides' tables are all empty; without one they drain back
 * to the roots, then to empty after termination.
 */
export async function runFaultSeed(seed: number, options: FaultRunOptions = {}): Promise<FaultRun> {
  const started = performance.now();
  const settleTimeoutMs = options.settleTimeoutMs ?? 15_000;
  const random = new SeededRandom(seed);
  const plan = breakPlanOf(random);
  const scheduler = new SeededScheduler(random.derive(1), { holdProbability: random.next() * 0.4 });
  const workloadRandom = random.derive(2);
  const [dialerEnd, listenerEnd] = memoryPair({
    scheduler: scheduler.schedule,
    ...(plan.kind === 'after-frames' ? { breakAfterFrames: plan.frames } : {}),
  });
  if (plan.kind === 'break-now') scheduler.atStep(plan.step, () => dialerEnd.breakNow());

  const trace: string[] = [];
  const traceTo = (label: string) =>
    traceMessages({
      level: 'messages',
      label,
      sink: (event: TraceEvent) => {
        trace.push(
          `${event.session} ${event.direction} ${event.type} ${Object.values(event.fields).join(',')}`,
        );
      },
    });
  const authenticator = unauthenticated();
  const dialerRoot = proxy<IWorker>(new Worker());
  const listenerRoot = proxy<IWorker>(new Worker());
  const resume = options.resume === true;
  const parked = resume ? new ParkedSessions() : undefined;
  /** Sessions started for resume connections (each hands its connection over and ends at once). */
  const handedOver: Session[] = [];
  const listenerOptions = (connection: Connection, root?: typeof listenerRoot): SessionOptions => ({
    connection,
    role: 'listener',
    authenticator,
    // A resume connection's session hands its connection over before any root is chosen: no root.
    ...(root !== undefined ? { root } : {}),
    trace: traceTo('listener'),
    ...(resume ? { resume: { parkedSessions: parked, graceMs: 5_000 } } : {}),
  });
  const dialer = new Session({
    connection: dialerEnd,
    role: 'dialer',
    authenticator,
    root: dialerRoot,
    trace: traceTo('dialer'),
    ...(resume
      ? {
          resume: {
            graceMs: 5_000,
            initialBackoffMs: 5,
            // The next connection, under the same scheduler (no break planned on it).
            dial: async () => {
              const [next, accepted] = memoryPair({ scheduler: scheduler.schedule });
              handedOver.push(new Session(listenerOptions(accepted)));
              return next;
            },
          },
        }
      : {}),
  });
  const listener = new Session(listenerOptions(listenerEnd, listenerRoot));
  dialerRoot[Symbol.dispose]();
  listenerRoot[Symbol.dispose]();
  const toListener = dialer.remoteRoot<IWorker>();
  const toDialer = listener.remoteRoot<IWorker>();

  // Lanes run concurrently; the operations of one lane run one after the other.
  const lanes = workloadRandom.between(1, 4);
  const perLane = workloadRandom.between(2, 6);
  const failures: string[] = [];
  const rejections: Record<string, number> = {};
  let fulfilled = 0;
  let count = 0;
  const lanePromises: Promise<void>[] = [];
  const pending = new Set<string>();
  for (let lane = 0; lane < lanes; lane++) {
    const steps = Array.from({ length: perLane }, () => ({
      name: workloadRandom.pick(operationNames),
      fromDialer: workloadRandom.chance(0.6),
      random: workloadRandom.derive(count++),
    }));
    lanePromises.push(
      (async () => {
        for (const step of steps) {
          const label = `${step.name} (${step.fromDialer ? 'dialer' : 'listener'}, lane ${lane})`;
          pending.add(label);
          try {
            await operations[step.name]!(step.fromDialer ? toListener : toDialer, step.random);
            fulfilled++;
          } catch (error) {
            const name = error instanceof Error ? error.name : typeof error;
            rejections[name] = (rejections[name] ?? 0) + 1;
            if (!(error instanceof AbortedError)) {
              failures.push(`${label}: ${String(error)}`);
            }
          } finally {
            pending.delete(label);
          }
        }
      })(),
    );
  }
  const settled = await Promise.race([
    Promise.all(lanePromises).then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), settleTimeoutMs)),
  ]);
  if (!settled) {
    failures.push(
      `the workload did not settle within ${settleTimeoutMs} ms; pending: ${[...pending].join(', ')}`,
    );
  }
  const broken = dialer.isTerminated || listener.isTerminated;
  const resumes = dialer.resumption?.resumes ?? 0;
  if (!broken && Object.keys(rejections).length > 0) {
    failures.push(`operations failed without a break: ${JSON.stringify(rejections)}`);
  }

  toListener[Symbol.dispose]();
  toDialer[Symbol.dispose]();
  const sessions = [dialer, listener];
  // Drained to the roots (one import, one export each), or ended (a late break).
  const quiet = await eventually(
    () =>
      sessions.every((session) => session.isTerminated) ||
      sessions.every((session) => atRoots(session.stats())),
    settleTimeoutMs,
  );
  if (!quiet) {
    failures.push(
      `tables did not drain: dialer ${JSON.stringify(dialer.stats())}, listener ${JSON.stringify(listener.stats())}`,
    );
  }
  await Promise.all([...sessions, ...handedOver].map((session) => session.terminate('run over')));
  for (const [name, session] of [
    ['dialer', dialer],
    ['listener', listener],
  ] as const) {
    const stats = session.stats();
    if (!Object.values(stats).every((size) => size === 0)) {
      failures.push(`${name} tables after termination: ${JSON.stringify(stats)}`);
    }
  }
  return {
    seed,
    plan,
    broken,
    resumed: resumes > 0 && !broken,
    resumes,
    operations: count,
    fulfilled,
    rejections,
    deliveries: scheduler.steps,
    holds: scheduler.holds,
    failures,
    trace,
    milliseconds: performance.now() - started,
  };
}

function atRoots(stats: SessionStats): boolean {
  return (
    stats.questions === 0 &&
    stats.answers === 0 &&
    stats.embargoes === 0 &&
    stats.streams === 0 &&
    stats.imports <= 1 &&
    stats.exports <= 1
  );
}
