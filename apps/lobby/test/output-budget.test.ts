// The server-wide budget of buffered output: connections counted through the wrapped transport,
// the largest aborted first while the sum is over budget, closed connections forgotten.
import type { CloseReason, Connection, Transport } from '@msc/transport';
import { describe, expect, test } from 'vitest';
import { OutputBudget } from '../src/output-budget.ts';

/** A connection whose buffered bytes the test sets, and which records how it was ended. */
class FakeConnection {
  readonly localAddress = 'fake:server';
  readonly remoteAddress: string;
  bufferedBytes = 0;
  aborted: unknown;
  readonly closed: Promise<CloseReason>;
  #close!: (reason: CloseReason) => void;
  constructor(remoteAddress: string) {
    this.remoteAddress = remoteAddress;
    this.closed = new Promise((resolve) => {
      this.#close = resolve;
    });
  }
  abort(error?: unknown): void {
    this.aborted = error ?? new Error('aborted');
    this.#close({ code: 'aborted', message: 'aborted', remote: false, error });
  }
  end(): void {
    this.#close({ code: 'normal', message: 'closed', remote: true });
  }
}

function fakeTransport(): { transport: Transport; accept(connection: FakeConnection): void } {
  let onConnection: ((connection: Connection) => void) | undefined;
  return {
    transport: {
      name: 'fake',
      dial: () => Promise.reject(new Error('not used')),
      listen: async (_address, callback) => {
        onConnection = callback;
        return { address: 'fake:server', close: async () => {} } as never;
      },
    },
    accept: (connection) => onConnection?.(connection as unknown as Connection),
  };
}

describe('OutputBudget', () => {
  test('while all connections together hold more than maxBytes, the largest are aborted first', async () => {
    const lines: string[] = [];
    const budget = new OutputBudget({ maxBytes: 10_000, log: (line) => lines.push(line) });
    const fake = fakeTransport();
    const accepted: Connection[] = [];
    await budget.wrap(fake.transport).listen('fake:server', (connection) => accepted.push(connection));
    const [small, large, medium, reader] = ['a', 'b', 'c', 'd'].map((name) => new FakeConnection(name));
    for (const connection of [small!, large!, medium!, reader!]) fake.accept(connection);
    expect(accepted).toHaveLength(4);
    expect(budget.connections).toBe(4);

    small!.bufferedBytes = 3_000;
    medium!.bufferedBytes = 4_000;
    expect(budget.sweep()).toBe(7_000);
    expect(budget.ended).toBe(0);

    large!.bufferedBytes = 9_000;
    expect(budget.sweep()).toBe(16_000);
    // Aborting the largest (9,000) brings the rest (7,000) under budget: nobody else is touched.
    expect(large!.aborted).toBeInstanceOf(Error);
    expect(String((large!.aborted as Error).message)).toMatch(/^limit: the server's output budget is spent/);
    expect([small, medium, reader].map((connection) => connection!.aborted)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(budget.ended).toBe(1);
    expect(lines).toHaveLength(1);
    await Promise.resolve();
    expect(budget.connections).toBe(3);

    // A connection that closes by itself is forgotten.
    reader!.end();
    await reader!.closed;
    await Promise.resolve();
    expect(budget.connections).toBe(2);
  });

  test('start() sweeps on a timer until stop()', async () => {
    const budget = new OutputBudget({ maxBytes: 100, intervalMs: 5 });
    const fake = fakeTransport();
    await budget.wrap(fake.transport).listen('fake:server', () => {});
    const hog = new FakeConnection('hog');
    fake.accept(hog);
    budget.start();
    hog.bufferedBytes = 1_000;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hog.aborted).toBeInstanceOf(Error);
    budget.stop();
  });
});
