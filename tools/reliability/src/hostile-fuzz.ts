import type { SessionStats, TerminationReason } from '@msc/session';
import fc from 'fast-check';
import { CrashWatch } from './crash-watch.ts';
import {
  hostileMessage,
  hostileOpening,
  type Opening,
  resolveQuestionIds,
  type ValidOperation,
  validOperation,
} from './hostile-messages.ts';
import { bystander, type HostileTarget, hostileTarget } from './hostile-target.ts';
import { eventually, turns } from './turns.ts';
import { frameOf, helloBytes, messagesOf, Wire, type WirePeer, wireCodec } from './wire-peer.ts';

/** The input families of the hostile-peer fuzzer. */
export type FuzzFamily = 'random-bytes' | 'mutated-frames' | 'message-sequences' | 'valid-sequences';

/** What a fuzzer run of one family saw. */
export interface FuzzFigures {
  readonly family: FuzzFamily;
  /** Cases run (fast-check runs, shrinking excluded). */
  readonly cases: number;
  /** How the session under attack ended, by termination code (`up` when it stayed up). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Wall time of the run, in milliseconds. */
  readonly milliseconds: number;
  /** Calls the bystander session served during the run (one per case at least). */
  readonly bystanderCalls: number;
  /** Invocations of the secret capability's methods (must be 0). */
  readonly secretInvocations: number;
  /** Uncaught exceptions and unhandled rejections (must be none). */
  readonly incidents: readonly string[];
}

/** Options of {@link runFuzzFamily}. */
export interface FuzzOptions {
  readonly runs: number;
  /** fast-check seed (printed by fast-check on failure). Default: fast-check's own. */
  readonly seed?: number | undefined;
}

const allowedLocalCodes = new Set(['protocol', 'limit']);
/** Codes a hostile hello may legitimately earn (its versions or scheme are wrong). */
const allowedHelloCodes = new Set(['version-mismatch', 'invalid']);

/**
 * Runs one input family against fresh listener sessions (one per case) and checks, for every case:
 * the process sees no uncaught exception or unhandled rejection; the session either stays up or ends
 * with `protocol` / `limit` (or the code a hostile hello earns, or the peer's own `Abort`); its tables
 * are empty once it ended; a bystander session in the same process still answers; the secret is
 * never invoked. Throws (with fast-check's seed and counterexample) when a property fails.
 */
export async function runFuzzFamily(family: FuzzFamily, options: FuzzOptions): Promise<FuzzFigures> {
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  const watch = new CrashWatch();
  const witness = bystander();
  let secretInvocations = 0;
  let cases = 0;
  const record = (outcome: string) => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };
  const parameters = { numRuns: options.runs, ...(options.seed === undefined ? {} : { seed: options.seed }) };
  try {
    await witness.check();
    const check = async (target: HostileTarget, sentAbort: boolean, expectUp: boolean) => {
      cases++;
      const outcome = await conclude(target, sentAbort, expectUp);
      secretInvocations += target.secret.invocations;
      await witness.check();
      if (watch.incidents.length > 0) throw new Error(`the process saw: ${watch.incidents.join('\n')}`);
      return outcome;
    };
    switch (family) {
      case 'random-bytes':
        await fc.assert(
          fc.asyncProperty(
            fc.boolean(),
            fc.array(fc.uint8Array({ maxLength: 256 }), { minLength: 1, maxLength: 6 }),
            async (validHello, frames) => {
              const target = hostileTarget();
              if (validHello) target.peer.sendHello();
              for (const frame of frames) target.peer.sendRaw(frame);
              record(await check(target, containsAbort(validHello ? frames : frames.slice(1)), false));
            },
          ),
          parameters,
        );
        break;
      case 'mutated-frames':
        await fc.assert(
          fc.asyncProperty(
            fc.array(validOperation, { minLength: 1, maxLength: 8 }),
            fc.array(mutation, { minLength: 1, maxLength: 4 }),
            async (operations, mutations) => {
              const target = hostileTarget();
              const frames = mutate(validScript(operations), mutations);
              for (const frame of frames) target.peer.sendRaw(frame);
              record(await check(target, containsAbort(frames.slice(1)), false));
            },
          ),
          parameters,
        );
        break;
      case 'message-sequences':
        await fc.assert(
          fc.asyncProperty(
            hostileOpening,
            fc.array(fc.array(hostileMessage, { minLength: 1, maxLength: 8 }), {
              minLength: 1,
              maxLength: 5,
            }),
            async (opening, frames) => {
              const target = hostileTarget();
              open(target.peer, opening);
              const encoded: Uint8Array[] = [];
              for (const messages of resolveQuestionIds(frames)) {
                const frame = frameOf(messages.map((message) => target.peer.encode(message)));
                encoded.push(frame);
                target.peer.sendRaw(frame);
              }
              // A frame the session takes for its hello (when none was sent) is not read as messages.
              const sentAbort = containsAbort(opening === 'nothing' ? encoded.slice(1) : encoded);
              record(await check(target, sentAbort, false));
            },
          ),
          parameters,
        );
        break;
      case 'valid-sequences':
        await fc.assert(
          fc.asyncProperty(fc.array(validOperation, { minLength: 1, maxLength: 10 }), async (operations) => {
            const target = hostileTarget();
            await playHonestly(target, operations);
            record(await check(target, false, true));
          }),
          parameters,
        );
        break;
    }
    await witness.check();
  } finally {
    watch[Symbol.dispose]();
    await witness.close();
  }
  return {
    family,
    cases,
    outcomes,
    milliseconds: performance.now() - started,
    bystanderCalls: witness.served(),
    secretInvocations,
    incidents: watch.incidents,
  };
}

/** Lets the session process what it was sent, checks how it ended, then ends it and checks its tables. */
async function conclude(target: HostileTarget, sentAbort: boolean, expectUp: boolean): Promise<string> {
  const { session } = target;
  await turns(3);
  let outcome = 'up';
  if (session.isTerminated) {
    const reason = await session.closed;
    checkReason(reason, sentAbort);
    outcome = reason.remote ? `peer-abort` : reason.code;
    if (expectUp) throw new Error(`valid input ended the session: ${reason.code}: ${reason.message}`);
  } else {
    await session.terminate('case over');
  }
  const stats = session.stats();
  if (!isEmpty(stats)) throw new Error(`tables left after termination: ${JSON.stringify(stats)}`);
  if (target.secret.invocations !== 0) throw new Error('the secret capability was invoked');
  return outcome;
}

function checkReason(reason: TerminationReason, sentAbort: boolean): void {
  if (reason.remote) {
    if (!sentAbort) {
      throw new Error(`the session ended as if by the peer without an Abort: ${JSON.stringify(reason)}`);
    }
    return;
  }
  const helloStep = reason.step === 'version' || reason.step === 'authentication';
  if (allowedLocalCodes.has(reason.code) || (helloStep && allowedHelloCodes.has(reason.code))) return;
  throw new Error(`unexpected termination: ${JSON.stringify(reason)}`);
}

/** Whether every table of a session is empty. */
export function isEmpty(stats: SessionStats): boolean {
  return Object.values(stats).every((size) => size === 0);
}

/** Whether any message of these frames decodes as an `Abort` (the peer then ends the session itself). */
function containsAbort(frames: readonly Uint8Array[]): boolean {
  const codec = wireCodec();
  for (const frame of frames) {
    for (const bytes of messagesOf(frame)) {
      try {
        const message = codec.decode(bytes);
        if (Array.isArray(message) && message[0] === Wire.Abort) return true;
      } catch {
        // not a message: the session stops at it (or at an earlier one)
      }
    }
  }
  return false;
}

function open(peer: WirePeer, opening: Opening): void {
  switch (opening) {
    case 'handshake':
      peer.handshake();
      return;
    case 'hello-only':
      peer.sendHello();
      return;
    case 'configure-twice':
      peer.handshake();
      peer.send([Wire.Configure, [0, 1]]);
      return;
    case 'nothing':
      return;
  }
}

// ------------------------------------------------------------------ valid scripts and their mutations

/**
 * The frames of an honest peer running `operations` without waiting for answers: hello, configure,
 * one frame of calls (a clone's `add` pipelined on its answer), then one frame of finishes.
 */
function validScript(operations: readonly ValidOperation[]): Uint8Array[] {
  const codec = wireCodec();
  const encode = (message: unknown) => codec.encode(message).slice();
  const calls: unknown[] = [];
  const finishes: unknown[] = [];
  let question = 0;
  for (const operation of operations) {
    for (const message of callsOf(operation, () => question++)) {
      calls.push(message);
      finishes.push([Wire.Finish, (message as number[])[1]]);
    }
  }
  return [
    helloBytes(codec),
    frameOf([encode([Wire.Configure, [0, 0]])]),
    frameOf(calls.map(encode)),
    frameOf(finishes.map(encode)),
  ];
}

function callsOf(operation: ValidOperation, nextQuestion: () => number): unknown[][] {
  switch (operation.kind) {
    case 'add':
      return [[Wire.Call, nextQuestion(), 0, 0, 'add', [operation.n]]];
    case 'echo':
      return [[Wire.Call, nextQuestion(), 0, 0, 'echo', [operation.value]]];
    case 'count':
      return [[Wire.Call, nextQuestion(), 0, 0, 'count', [operation.to]]];
    case 'clone-then-add': {
      const clone = nextQuestion();
      return [
        [Wire.Call, clone, 0, 0, 'clone', []],
        [Wire.Call, nextQuestion(), 1, clone, 'add', [operation.n]],
      ];
    }
  }
}

interface Mutation {
  readonly frame: number;
  readonly at: number;
  readonly kind: 'flip' | 'set' | 'truncate' | 'insert' | 'drop-frame' | 'duplicate-frame' | 'swap-frames';
  readonly value: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  frame: fc.nat(),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  kind: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'drop-frame', 'duplicate-frame', 'swap-frames'),
  value: fc.integer({ min: 0, max: 255 }),
});

function mutate(original: readonly Uint8Array[], mutations: readonly Mutation[]): Uint8Array[] {
  const frames = original.map((frame) => frame.slice());
  for (const change of mutations) {
    if (frames.length === 0) break;
    const index = change.frame % frames.length;
    const frame = frames[index]!;
    const position = Math.floor(change.at * frame.byteLength);
    switch (change.kind) {
      case 'flip':
        if (frame.byteLength > 0) frame[position] = frame[position]! ^ (1 << (change.value % 8));
        break;
      case 'set':
        if (frame.byteLength > 0) frame[position] = change.value;
        break;
      case 'truncate':
        frames[index] = frame.subarray(0, position);
        break;
      case 'insert': {
        const longer = new Uint8Array(frame.byteLength + 1);
        longer.set(frame.subarray(0, position), 0);
        longer[position] = change.value;
        longer.set(frame.subarray(position), position + 1);
        frames[index] = longer;
        break;
      }
      case 'drop-frame':
        frames.splice(index, 1);
        break;
      case 'duplicate-frame':
        frames.splice(index, 0, frame.slice());
        break;
      case 'swap-frames': {
        const other = change.value % frames.length;
        frames[index] = frames[other]!;
        frames[other] = frame;
        break;
      }
    }
  }
  return frames;
}

// ------------------------------------------------------------------ an honest peer, interactively

/**
 * Runs `operations` as an honest peer would: calls, credit for the sequences it receives, releases
 * for the capabilities it receives, finishes; then checks the answers and that the session's tables
 * are back to the roots.
 */
async function playHonestly(target: HostileTarget, operations: readonly ValidOperation[]): Promise<void> {
  const { peer, session } = target;
  peer.handshake();
  const expected = new Map<number, unknown>();
  let question = 0;
  const calls: unknown[][] = [];
  for (const operation of operations) {
    const messages = callsOf(operation, () => question++);
    calls.push(...messages);
    const last = messages[messages.length - 1]!;
    if (operation.kind === 'echo') expected.set(last[1] as number, operation.value);
    if (operation.kind === 'clone-then-add') expected.set(last[1] as number, operation.n);
  }
  peer.send(...calls);
  const returns = () => peer.messagesOfType(Wire.Return);
  if (!(await eventually(() => returns().length === question))) {
    throw new Error(`expected ${question} returns, got ${returns().length}`);
  }
  const streams: number[] = [];
  for (const [, id, kind, payload] of returns()) {
    if (kind === 2) throw new Error(`call ${String(id)} failed: ${String(payload)}`);
    if (expected.has(id as number)) {
      const want = JSON.stringify(expected.get(id as number) ?? null);
      if (JSON.stringify(payload ?? null) !== want) {
        throw new Error(`call ${String(id)} returned ${JSON.stringify(payload)}, expected ${want}`);
      }
    }
    if (kind === 1) peer.send([Wire.Release, (payload as number[])[1], 1]);
    const descriptor = (payload as { descriptor?: unknown } | undefined)?.descriptor;
    if (Array.isArray(descriptor) && descriptor[0] === 3) streams.push(descriptor[1] as number);
  }
  const finishes = Array.from({ length: question }, (_, id) => [Wire.Finish, id]);
  const credits = streams.map((id) => [Wire.StreamCredit, id, 1_000, 1_000, 100]);
  peer.send(...credits, ...finishes);
  const ends = () => peer.messagesOfType(Wire.StreamEnd).length;
  if (!(await eventually(() => ends() === streams.length))) {
    throw new Error(`expected ${streams.length} stream ends, got ${ends()}`);
  }
  const drained = await eventually(() => {
    const stats = session.stats();
    return stats.answers === 0 && stats.streams === 0 && stats.exports <= 1 && stats.questions === 0;
  });
  if (!drained) throw new Error(`the session did not drain to its roots: ${JSON.stringify(session.stats())}`);
  if (session.isTerminated) throw new Error('valid input ended the session');
}
