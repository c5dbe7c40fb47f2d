import type { Attack, AttackClass } from './attack.ts';
import { Bystander, type BystanderFigures, deadline } from './bystander.ts';
import type { TargetMemory, TargetProcess } from './target-process.ts';

/** What one attack did to its target. */
export interface AttackOutcome {
  readonly id: string;
  readonly attackClass: AttackClass;
  readonly description: string;
  readonly endpoint: string;
  /** The code the attack observed (`error: ...` when the attack itself failed or timed out). */
  readonly code: string;
  readonly expected: readonly string[];
  /** What the target said about the ending (a termination message), when the attack recorded it. */
  readonly note: string | undefined;
  /** Whether the target process was still running and answering after the attack. */
  readonly alive: boolean;
  readonly bystander: BystanderFigures | undefined;
  /** The growth of the target's peak RSS over its RSS before the attack, in bytes (`undefined`: not measured). */
  readonly peakRssGrowth: number | undefined;
  /** The target's peak RSS during the attack, in bytes. */
  readonly peakRss: number | undefined;
  /** The highest growth of heap used + external (after GC) the attack's samples saw, in bytes. */
  readonly heapGrowth: number;
  readonly memoryBoundMiB: number;
  /** The bound of the peak RSS growth, in MiB (the attack's `peakRssBoundMiB`, else `memoryBoundMiB`). */
  readonly peakRssBoundMiB: number;
  readonly latencyBoundMs: number;
  readonly milliseconds: number;
  /** Every assertion of the fixed behaviour that did not hold; empty when the target held. */
  readonly failures: readonly string[];
}

/** The default of {@link Attack.latencyBoundMs}. */
export const defaultLatencyBoundMs = 1_500;
/** The default of {@link Attack.timeoutMs}. */
export const defaultAttackTimeoutMs = 15_000;
const mebibyte = 1024 * 1024;

/**
 * Runs `attack` against `target` (which must be alive) with a bystander session calling throughout,
 * then checks the fixed behaviour: the target lives and answers, the bystander kept answering within
 * the latency bound and answers after, memory grew less than the attack's bound, and the attack
 * observed one of its expected codes. Never throws: every failure is in the outcome's `failures`.
 */
export async function runAttack(attack: Attack, target: TargetProcess, scale = 1): Promise<AttackOutcome> {
  const latencyBoundMs = attack.latencyBoundMs ?? defaultLatencyBoundMs;
  const failures: string[] = [];
  let before: TargetMemory;
  let bystander: Bystander;
  try {
    await attack.prepare?.(scale);
    before = await target.memory();
    bystander = await Bystander.start(target.addresses.scopeTcp);
  } catch (error) {
    const message = `the target was not ready for the attack: ${error instanceof Error ? error.message : String(error)}`;
    return {
      id: attack.id,
      attackClass: attack.attackClass,
      description: attack.description,
      endpoint: attack.endpoint,
      code: `error: ${message}`,
      note: undefined,
      expected: attack.expected,
      alive: target.alive,
      bystander: undefined,
      peakRssGrowth: undefined,
      peakRss: undefined,
      heapGrowth: 0,
      memoryBoundMiB: attack.memoryBoundMiB,
      peakRssBoundMiB: attack.peakRssBoundMiB ?? attack.memoryBoundMiB,
      latencyBoundMs,
      milliseconds: 0,
      failures: [message],
    };
  }
  const rssBefore = before.rss;
  target.resetPeakRss();
  const cleanups: (() => unknown)[] = [];
  let heapGrowth = 0;
  let note: string | undefined;
  const started = performance.now();
  let code: string;
  try {
    code = await deadline(
      attack.run({
        target,
        endsSince: target.ends.length,
        logsSince: target.logs.length,
        scale,
        async sampleMemory() {
          const now = await target.memory();
          heapGrowth = Math.max(
            heapGrowth,
            now.heapUsed + now.external - (before.heapUsed + before.external),
          );
        },
        note: (text) => {
          note = text;
        },
        defer: (cleanup) => cleanups.push(cleanup),
      }),
      (attack.timeoutMs ?? defaultAttackTimeoutMs) * scale,
      'the attack did not finish',
    );
  } catch (error) {
    code = `error: ${error instanceof Error ? error.message : String(error)}`;
  }
  const milliseconds = performance.now() - started;
  // The peak is read before the cleanup, which may free or allocate.
  const peakRss = target.peakRss();
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // Cleanups close sockets and clients that the target may already have closed.
    }
  }
  const figures = target.alive ? await bystander.stop() : undefined;
  await bystander[Symbol.asyncDispose]();
  let alive = target.alive;
  if (alive) {
    try {
      const after = await target.memory();
      heapGrowth = Math.max(
        heapGrowth,
        after.heapUsed + after.external - (before.heapUsed + before.external),
      );
    } catch {
      alive = false;
    }
  }

  if (!alive) failures.push(`the target process died (${target.exitedWith ?? 'stopped answering'})`);
  if (figures !== undefined) {
    if (figures.failures > 0) failures.push('the bystander session failed');
    if (!figures.answersAfter) failures.push('the bystander got no answer after the attack');
    if (figures.maxLatencyMs > latencyBoundMs) {
      failures.push(
        `the bystander waited ${figures.maxLatencyMs} ms for an answer (bound ${latencyBoundMs} ms)`,
      );
    }
  }
  const peakRssGrowth = peakRss === undefined ? undefined : Math.max(0, peakRss - rssBefore);
  const bound = attack.memoryBoundMiB * mebibyte;
  const peakRssBoundMiB = attack.peakRssBoundMiB ?? attack.memoryBoundMiB;
  if (peakRssGrowth !== undefined && peakRssGrowth > peakRssBoundMiB * mebibyte) {
    failures.push(
      `peak RSS grew by ${(peakRssGrowth / mebibyte).toFixed(1)} MiB (bound ${peakRssBoundMiB} MiB)`,
    );
  }
  if (heapGrowth > bound) {
    failures.push(
      `heap + external grew by ${(heapGrowth / mebibyte).toFixed(1)} MiB (bound ${attack.memoryBoundMiB} MiB)`,
    );
  }
  if (!attack.expected.includes(code)) {
    failures.push(
      `the attack ended with '${code}', expected ${attack.expected.map((e) => `'${e}'`).join(' or ')}`,
    );
  }
  return {
    id: attack.id,
    attackClass: attack.attackClass,
    description: attack.description,
    endpoint: attack.endpoint,
    code,
    note,
    expected: attack.expected,
    alive,
    bystander: figures,
    peakRssGrowth,
    peakRss,
    heapGrowth,
    memoryBoundMiB: attack.memoryBoundMiB,
    peakRssBoundMiB,
    latencyBoundMs,
    milliseconds: Math.round(milliseconds),
    failures,
  };
}
