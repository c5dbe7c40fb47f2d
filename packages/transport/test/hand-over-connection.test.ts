import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Connection } from '../src/index.ts';
import { handOverConnection } from '../src/kit/index.ts';

/** A connection that records the reasons it was aborted with (nothing else is called). */
function acceptedConnection(): Connection & { aborts: unknown[] } {
  const aborts: unknown[] = [];
  return { aborts, abort: (error?: unknown) => aborts.push(error) } as unknown as Connection & {
    aborts: unknown[];
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('handOverConnection', () => {
  it('gives the connection to the callback, and leaves it alone', () => {
    const connection = acceptedConnection();
    const taken: Connection[] = [];
    handOverConnection(connection, (accepted) => taken.push(accepted));
    expect(taken).toEqual([connection]);
    expect(connection.aborts).toEqual([]);
  });

  it('a callback that throws: the connection is aborted with the error, which is rethrown in a microtask', () => {
    const rethrows: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => rethrows.push(task));
    const connection = acceptedConnection();
    const failure = new RangeError('no room for you');
    expect(() =>
      handOverConnection(connection, () => {
        throw failure;
      }),
    ).not.toThrow(); // the accept loop goes on
    expect(connection.aborts).toEqual([failure]);
    expect(rethrows).toHaveLength(1);
    expect(() => rethrows[0]!()).toThrow(failure);
  });
});
