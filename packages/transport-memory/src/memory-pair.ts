import { createMemoryConnectionPair, type MemoryConnection } from './memory-connection.ts';
import type { MemoryConnectionOptions } from './memory-connection-options.ts';

let pairs = 0;

/**
 * Two connected in-process connections, without a listener: what one side sends, the other receives. Their
 * addresses are `memory:pair-<n>#a` and `memory:pair-<n>#b`.
 *
 * @param options delay, fault injection, scheduler and limits, shared by both ends
 * @throws RangeError for a negative `delayMs` or `breakAfterFrames`.
 */
export function memoryPair(options: MemoryConnectionOptions = {}): [MemoryConnection, MemoryConnection] {
  const name = `memory:pair-${++pairs}`;
  return createMemoryConnectionPair(options, {
    first: { local: `${name}#a`, remote: `${name}#b` },
    second: { local: `${name}#b`, remote: `${name}#a` },
  });
}
