import type { TargetProcess } from './target-process.ts';

/**
 * The classes of issue 14, each a requirement: 1 uncaught exceptions reachable from the network,
 * 2 output nobody counts, 3 allocation ahead of arrival, 4 cost before authentication, 5 stream credit
 * not enforced on receipt, 6 method names remembered forever, 7 a hostile SIP, 8 no capacity limits per
 * listener, 9 the lobby computes before it validates, 10 identity edges, 11 proxies answering coercions.
 */
export type AttackClass = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11;

/** One line per class, for tables and test names. */
export const attackClassTitles: Readonly<Record<AttackClass, string>> = {
  1: 'uncaught exceptions reachable from the network',
  2: 'output nobody counts',
  3: 'allocation ahead of arrival',
  4: 'cost before authentication bounded by count',
  5: 'stream credit not enforced on receipt',
  6: 'every method name remembered',
  7: 'a hostile SIP takes its parent down',
  8: 'no capacity limits per listener',
  9: 'the lobby computes before it validates',
  10: 'identity edges',
  11: 'proxies answer coercions with remote calls',
};

/** What an attack may use while it runs. */
export interface AttackContext {
  /** The target under attack (alive when the attack starts). */
  readonly target: TargetProcess;
  /** The index of the target's next session end: ends from here on belong to this attack. */
  readonly endsSince: number;
  /** The index of the target's next lobby log line. */
  readonly logsSince: number;
  /** The attack's scale: 1 in the fast test run, more in the report's long mode. */
  readonly scale: number;
  /**
   * Samples the target's memory now (after a garbage collection in the target), while the attack's
   * connections are still open: the harness keeps the highest heap + external growth it saw.
   */
  sampleMemory(): Promise<void>;
  /** Records what the target said about the ending (a termination message), for the outcome. */
  note(text: string): void;
  /** Registers something to clean up after the attack (sockets, clients), whatever happened. */
  defer(cleanup: () => unknown): void;
}

/**
 * One attack: a scenario run against a live target, with the fixed behaviour as its assertions. `run`
 * returns the named code the attacking session (or socket, SIP, call) ended with, as observed: a
 * session's termination code (`limit`, `protocol`, `refused`...), an HTTP answer (`http-4xx`), a closed
 * socket (`closed`), a SIP's end cause, a lobby error code, or a code the attack names for what it
 * checked (`up` for a session that rightly stays up within its bounds).
 */
export interface Attack {
  /** A stable id, kebab-case, unique in the catalogue (the pending list names attacks by it). */
  readonly id: string;
  readonly attackClass: AttackClass;
  /** What the attacker does, in a sentence. */
  readonly description: string;
  /** The endpoint attacked (an address key of the target, or `sip`). */
  readonly endpoint: string;
  /** The codes that count as the fixed behaviour. */
  readonly expected: readonly string[];
  /** How much the target's memory (peak RSS, and heap + external after GC) may grow, in MiB. */
  readonly memoryBoundMiB: number;
  /**
   * A separate bound for the peak RSS alone, in MiB, for an attack whose garbage V8 collects late: what
   * the target retains (heap + external after GC) is still held to {@link memoryBoundMiB}. Only with a
   * comment that shows the peak does not grow with the attack's scale. Default: `memoryBoundMiB`.
   */
  readonly peakRssBoundMiB?: number;
  /** The slowest bystander answer allowed while the attack runs, in milliseconds. Default 1,000. */
  readonly latencyBoundMs?: number;
  /** The longest the attack may run, in milliseconds (then it counts as failed). Default 15,000. */
  readonly timeoutMs?: number;
  /**
   * Work the attacker does before the bystander starts (building large payloads): the bystander runs in
   * the attacker's process, so its latency must not count the attacker's own CPU work.
   */
  readonly prepare?: (scale: number) => Promise<void>;
  readonly run: (context: AttackContext) => Promise<string>;
}
