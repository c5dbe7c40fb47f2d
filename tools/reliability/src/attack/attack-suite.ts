import type { Attack } from './attack.ts';
import { attackCatalog } from './attack-catalog.ts';
import { type AttackOutcome, runAttack } from './run-attack.ts';
import { TargetProcess } from './target-process.ts';

/** Options of {@link runAttackSuite}. */
export interface AttackSuiteOptions {
  /** The attacks to run. Default: the whole catalogue, pending or not. */
  readonly attacks?: readonly Attack[];
  /** The attacks' scale (1 in the test run). Default 1. */
  readonly scale?: number;
  /** Called with each outcome as it comes. */
  readonly onOutcome?: (outcome: AttackOutcome) => void;
}

/**
 * Runs attacks one after the other, each against a fresh target process (so that no attack's leftovers
 * blur the next one's memory, and a target an attack killed or stalled takes nothing else down), and
 * kills every target it started, whatever happened.
 */
export async function runAttackSuite(options: AttackSuiteOptions = {}): Promise<AttackOutcome[]> {
  const outcomes: AttackOutcome[] = [];
  for (const attack of options.attacks ?? attackCatalog) {
    const target = await TargetProcess.start();
    try {
      const outcome = await runAttack(attack, target, options.scale ?? 1);
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
    } finally {
      await target.kill();
    }
  }
  return outcomes;
}
