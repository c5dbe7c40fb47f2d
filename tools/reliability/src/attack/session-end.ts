import type { AttackContext } from './attack.ts';
import type { TargetSessionEnd } from './target-process.ts';

/**
 * The named code a session end carries: its termination code; or, when the session only saw its
 * connection close (`connection-lost`) and the transport named its verdict (`the connection closed
 * (limit): ...`), that verdict, unless it is a plain `error`: a transport that ended the connection for
 * a limit or a protocol violation has named the code the attack looks for.
 */
export function endCode(end: TargetSessionEnd): string {
  if (end.code !== 'connection-lost') return end.code;
  const verdict = /the connection closed \(([a-z-]+)\)/.exec(end.message)?.[1];
  return verdict === 'limit' || verdict === 'protocol' || verdict === 'timeout' ? verdict : end.code;
}

/**
 * The code the target's session on `endpoint` ended with after the attack started ({@link endCode}),
 * waiting at most `timeoutMs` for it; `up` when none ended. Records the end's message as the note.
 */
export async function sessionEnd(
  context: AttackContext,
  endpoint: string,
  timeoutMs: number,
): Promise<string> {
  const end = await context.target.nextEnd(endpoint, context.endsSince, timeoutMs);
  if (end === undefined) return 'up';
  context.note(end.message);
  return endCode(end);
}
