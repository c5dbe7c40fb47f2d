import { randomBytes } from 'node:crypto';
import type { Proxy } from '@msc/eventual';
import { type ResumeEvent, Scope, unauthenticated } from '@msc/session';
import { tcp } from '@msc/transport-tcp';
import type { ITarget } from '../target-service.ts';
import type { Attack, AttackContext } from './attack.ts';
import { deadline } from './bystander.ts';
import { sleep } from './raw-socket.ts';
import { proofFrame, ResumeAttempt, resumeHello } from './resume-attempt.ts';
import { resumeTargetBounds } from './resume-target-bounds.ts';
import { TappedTransport } from './tapped-transport.ts';

/**
 * Class 8 on a resumable listener (docs/resumption.md): the target's `resumeTcp` scope parks a session
 * whose connection drops, and anyone can open a resume attempt on it. The attacker floods it with
 * attempts that must each be refused with their named reason, while an honest session that got cut
 * resumes in the middle of the flood and the scope's parked sessions stay within `maxParkedSessions`.
 */

/** An honest resumable session of the attacker's process, over a {@link TappedTransport}. */
interface HonestSession {
  readonly scope: Scope;
  readonly transport: TappedTransport;
  readonly root: Proxy<ITarget>;
  readonly events: ResumeEvent[];
}

/**
 * Waits until the target holds at least `count` connected sessions that a drop would park: the listener
 * registers a session only once it has derived the resume secret (asynchronously, after the dialer's
 * half arrived), so a cut before that loses the session (`unknown-session`) however far the dialer got.
 */
async function untilResumable(context: AttackContext, count: number): Promise<void> {
  const end = performance.now() + 10_000;
  while ((await context.target.parked()).resumable < count) {
    if (performance.now() > end)
      throw new Error(`expected ${count} resumable sessions on the target within 10 s`);
    await sleep(20);
  }
}

/**
 * Opens an honest resumable session to `address` and waits until the listener's resume id came and the
 * target counts it resumable (`resumableBefore` sessions were before it).
 */
async function honestSession(
  context: AttackContext,
  address: string,
  resumableBefore: number,
): Promise<HonestSession> {
  const transport = new TappedTransport(tcp());
  const events: ResumeEvent[] = [];
  const scope = new Scope({
    transport,
    authenticator: unauthenticated(),
    resume: { graceMs: resumeTargetBounds.graceMs, onEvent: (event) => events.push(event) },
  });
  context.defer(() => scope.close());
  const root = scope.connect<ITarget>(address);
  await deadline(root.echo('hello'), 5_000, 'an honest resumable session got no answer');
  await until(() => transport.resumeId !== undefined, 'the resume id of an honest session', 5_000);
  // The dialer answers the listener's half of the secret at once: a call after that reaches the
  // listener after the answer, so the listener holds the whole secret (the session can park) by then.
  await deadline(root.echo('resumable'), 5_000, 'an honest resumable session got no answer');
  await untilResumable(context, resumableBefore + 1);
  return { scope, transport, root, events };
}

/** Waits until `condition` holds, polling every 20 ms. */
async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The answers of each kind of attempt, counted, and the answers no fixed listener gives. */
class Tally {
  readonly #counts = new Map<string, Map<string, number>>();
  readonly unexpected: string[] = [];

  /** Counts `answer` for `kind`; an answer not in `expected` is unexpected. */
  count(kind: string, answer: string, expected: readonly string[]): void {
    const counts = this.#counts.get(kind) ?? new Map<string, number>();
    this.#counts.set(kind, counts);
    counts.set(answer, (counts.get(answer) ?? 0) + 1);
    if (!expected.includes(answer) && this.unexpected.length < 8) {
      this.unexpected.push(`${kind} answered '${answer}'`);
    }
  }

  /** Whether `kind` was answered `answer` at least once. */
  has(kind: string, answer: string): boolean {
    return (this.#counts.get(kind)?.get(answer) ?? 0) > 0;
  }

  toString(): string {
    return [...this.#counts]
      .map(
        ([kind, counts]) =>
          `${kind}: ${[...counts].map(([answer, count]) => `${count} ${answer}`).join(', ')}`,
      )
      .join('; ');
  }
}

/**
 * Runs `count` attempts of one kind, at most `concurrency` at a time (default: all at once), each opened
 * with `hello` then `follow`, and counts the answers.
 */
async function attempts(
  tally: Tally,
  kind: string,
  count: number,
  address: string,
  hello: () => Uint8Array,
  expected: readonly string[],
  options: {
    readonly follow?: (attempt: ResumeAttempt) => void;
    readonly answerMs?: number;
    readonly concurrency?: number;
  } = {},
): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    let attempt: ResumeAttempt;
    try {
      attempt = await ResumeAttempt.open(address, hello());
    } catch (error) {
      tally.count(kind, `dial-failed: ${error instanceof Error ? error.message : String(error)}`, expected);
      return;
    }
    try {
      options.follow?.(attempt);
      tally.count(kind, await attempt.answer(options.answerMs ?? 5_000), expected);
    } finally {
      attempt.abort();
    }
  };
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, options.concurrency ?? count) }, lane));
}

/**
 * The resume flood. Setup: an honest session is cut once and resumes (its proof is recorded), then is
 * cut with its redials blocked, so that it stays parked on the target: the victim whose resume id the
 * attacker knows (as an eavesdropper on an unencrypted connection would). A second honest session runs
 * beside it. Then (counts per scale unit), 48 attempts naming random resume ids, all at once (refused
 * `unknown-session`), and meanwhile, on the victim's id, one attempt at a time so that each reaches the
 * check it aims at (two at once on one session: the second is refused `busy`):
 * - 24 with a random proof, 8 replaying the recorded proof on a new connection: `bad-secret`;
 * - 4 that send a 1 MiB frame after the hello (before the exchange authenticated anyone): the transport
 *   refuses it past the exchange's 64 KiB frame cap before holding it (`closed:protocol`);
 * - 4 that send 20 frames where the proof belongs: `protocol`;
 * then all at once: 16 that stall after the hello (`busy` once one of them holds the session's slot,
 * that one `protocol` when its exchange times out after 2 s), 4 that open with a 1 MiB hello
 * (`closed:protocol`, past the handshake's frame cap) and 4 hellos with a 15-byte resume id (not a
 * valid hello: the session ends, `closed:normal` on the wire). While they run, the second honest session
 * is cut: it must resume and answer. Last, 24 more honest sessions are cut with their redials blocked:
 * the target parks at most `maxParkedSessions` (16) and ends the others with `limit`. Names `refused`
 * when every attempt got a named refusal of its kind (and each proof kind reached its check at least
 * once), the honest session resumed, and the parked sessions stayed bounded; else the first thing that
 * went wrong.
 */
async function resumeFlood(context: AttackContext): Promise<string> {
  const address = context.target.addresses.resumeTcp;
  const scale = context.scale;

  const resumableBefore = (await context.target.parked()).resumable;
  const victim = await honestSession(context, address, resumableBefore);
  victim.transport.cut();
  // It resumes, and must be registered again before it is cut for good (its secret is a new one).
  try {
    await until(
      () => victim.events.some((event) => event.type === 'resumed' || event.type === 'lost'),
      'the victim to resume once',
      15_000,
    );
  } catch {}
  if (!victim.events.some((event) => event.type === 'resumed')) {
    return `victim-not-resumed: ${JSON.stringify(victim.events)}`;
  }
  await deadline(victim.root.echo('resumed'), 5_000, 'the resumed victim got no answer');
  await untilResumable(context, resumableBefore + 1);
  const recordedProof = victim.transport.proofs[0];
  const victimId = victim.transport.resumeId!;
  if (recordedProof === undefined) return 'no-proof-recorded';
  victim.transport.blocked = true;
  victim.transport.cut();
  const parkedBefore = await pollParked(context, (parked) => parked >= 1, 5_000);
  if (parkedBefore < 1) return 'victim-not-parked';

  const honest = await honestSession(context, address, resumableBefore);
  const tally = new Tally();
  const victimHello = () => resumeHello(victimId);
  const started = performance.now();
  const flood = Promise.all([
    attempts(tally, 'unknown id', 48 * scale, address, () => resumeHello(randomBytes(16)), [
      'unknown-session',
    ]),
    (async () => {
      // One at a time first, so that each proof is checked (two at once on one session: one is `busy`).
      await attempts(tally, 'random proof', 24 * scale, address, victimHello, ['bad-secret', 'busy'], {
        follow: (attempt) => attempt.send(proofFrame()),
        concurrency: 1,
      });
      await attempts(tally, 'replayed proof', 8 * scale, address, victimHello, ['bad-secret', 'busy'], {
        follow: (attempt) => attempt.send(recordedProof.slice()),
        concurrency: 1,
      });
      await attempts(
        tally,
        '1 MiB frame after the hello',
        4 * scale,
        address,
        victimHello,
        ['closed:protocol', 'closed:limit', 'protocol', 'busy'],
        { concurrency: 1, follow: (attempt) => attempt.send(new Uint8Array(1024 * 1024).fill(0xfa)) },
      );
      await attempts(tally, '20 frames for a proof', 4 * scale, address, victimHello, ['protocol', 'busy'], {
        concurrency: 1,
        follow: (attempt) => {
          for (let index = 0; index < 20; index++) attempt.send(randomBytes(100));
        },
      });
      await Promise.all([
        attempts(tally, 'stalled', 16 * scale, address, victimHello, ['busy', 'protocol'], {
          answerMs: resumeTargetBounds.handshakeTimeoutMs + 5_000,
        }),
        attempts(
          tally,
          '1 MiB first frame',
          4 * scale,
          address,
          () => resumeHello(victimId, { nonce: new Uint8Array(1024 * 1024) }),
          ['closed:limit', 'closed:protocol'],
        ),
        attempts(tally, '15-byte resume id', 4 * scale, address, () => resumeHello(randomBytes(15)), [
          'closed:normal',
          'closed:protocol',
        ]),
      ]);
    })(),
  ]);
  // The honest session is cut while the flood runs: it must come back through it.
  await sleep(50);
  honest.transport.cut();
  let honestResumedMs: number | undefined;
  try {
    await until(
      () => honest.events.some((event) => event.type === 'resumed'),
      'the honest session to resume',
      15_000,
    );
    await deadline(honest.root.echo('through the flood'), 5_000, 'the resumed honest session got no answer');
    honestResumedMs = Math.round(performance.now() - started);
  } catch {
    honestResumedMs = undefined;
  }
  await flood;
  await context.sampleMemory();

  // The parked-session bound: 24 more sessions dropped at once, none of them allowed to come back.
  const crowd = new TappedTransport(tcp());
  const crowdScope = new Scope({
    transport: crowd,
    authenticator: unauthenticated(),
    resume: { graceMs: resumeTargetBounds.graceMs },
  });
  context.defer(() => crowdScope.close());
  const crowdSize = resumeTargetBounds.maxParkedSessions + 8 * scale;
  const roots = Array.from({ length: crowdSize }, () => crowdScope.connect<ITarget>(address));
  await Promise.all(roots.map((root) => deadline(root.echo(1), 10_000, 'a crowd session got no answer')));
  // As in honestSession: a second call answered after the secrets' halves went out, so every session can park.
  await sleep(100);
  await Promise.all(roots.map((root) => deadline(root.echo(2), 10_000, 'a crowd session got no answer')));
  await untilResumable(context, resumableBefore + 1 + crowdSize);
  const endsBefore = context.target.ends.length;
  crowd.blocked = true;
  crowd.cut();
  const parkedAfter = await pollParked(
    context,
    (parked) => parked >= resumeTargetBounds.maxParkedSessions,
    5_000,
  );
  await sleep(200);
  const lostForLimit = context.target.ends
    .slice(endsBefore)
    .filter((end) => end.endpoint === 'resumeTcp' && end.code === 'limit').length;
  await context.sampleMemory();

  context.note(
    `${tally}; the honest session ${honestResumedMs === undefined ? 'did not resume' : `resumed and answered ${honestResumedMs} ms into the flood`}; ` +
      `${crowdSize} more dropped: ${parkedAfter} parked (bound ${resumeTargetBounds.maxParkedSessions}), ${lostForLimit} ended with limit`,
  );
  if (tally.unexpected.length > 0) return tally.unexpected[0]!;
  // Every proof was checked at least once (not all of them turned away as `busy`).
  for (const [kind, answer] of [
    ['random proof', 'bad-secret'],
    ['replayed proof', 'bad-secret'],
    ['20 frames for a proof', 'protocol'],
  ] as const) {
    if (!tally.has(kind, answer)) return `no ${kind} was checked`;
  }
  if (honestResumedMs === undefined) return 'honest-session-not-resumed';
  if (parkedAfter > resumeTargetBounds.maxParkedSessions) return `parked-${parkedAfter}`;
  if (lostForLimit < crowdSize + parkedBefore - resumeTargetBounds.maxParkedSessions) {
    return `only-${lostForLimit}-lost-for-limit`;
  }
  return 'refused';
}

/** Polls the target's parked count until `enough` holds or `timeoutMs` passed; returns the last count. */
async function pollParked(
  context: AttackContext,
  enough: (parked: number) => boolean,
  timeoutMs: number,
): Promise<number> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const { parked } = await context.target.parked();
    if (enough(parked) || performance.now() > end) return parked;
    await sleep(50);
  }
}

/** Class 8: resumption's listener under a flood of resume attempts. */
export const resumeAttacks: readonly Attack[] = [
  {
    id: 'resume-attempt-flood',
    attackClass: 8,
    description:
      'resume attempts by the hundred on a resumable listener: unknown ids, a parked session named with a random or replayed proof, stalls, one id flooded, oversize frames before authentication, more sessions dropped than may park; an honest session cut meanwhile must resume',
    endpoint: 'resumeTcp',
    expected: ['refused'],
    memoryBoundMiB: 32,
    timeoutMs: 40_000,
    run: resumeFlood,
  },
];
