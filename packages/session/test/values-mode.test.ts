import { type Bytes, type Proxy, proxy } from '@msc/eventual';
import { ContractRegistry } from '@msc/serialization';
import type { Connection } from '@msc/transport';
import { messagePortPair } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { enableMessagePortValues, Session, unauthenticated } from '../src/index.ts';
import { forwardingConnection } from './fixtures/forwarding-connection.ts';
import { expectDrained } from './fixtures/leak-check.ts';
import { tracedPortSessions } from './fixtures/traced-port-sessions.ts';
import { writtenBytes } from './fixtures/written-bytes.ts';

enableMessagePortValues(); // opt-in (enable-message-port-values.ts)

// Values mode (protocol.ts, "Values mode") over a real MessageChannel: negotiated when both hellos
// offer it, refused when one side does not (bytes kept), and every hostile value a raw peer may post
// ends the session with a named code.

class Point {
  x = 0;
  y = 0;
}
const registry = new ContractRegistry();
registry.register(Point, { name: 'test.Point', fields: ['x', 'y'] });

class CodedError extends Error {
  code = 'E_TEST';
}

interface IEcho {
  echo<T>(value: T): Promise<T>;
  fail(message: string): Promise<never>;
  callBack(callback: Proxy<ICallback>, value: number): Promise<number>;
  twice(): Proxy<ICounter>;
  download(chunkBytes: number, chunks: number): Bytes;
}
interface ICallback {
  call(value: number): Promise<number>;
}
interface ICounter {
  next(): Promise<number>;
}

class Echo implements IEcho {
  async echo<T>(value: T): Promise<T> {
    return value;
  }
  async fail(message: string): Promise<never> {
    throw new CodedError(message, { cause: { detail: [1, 2] } });
  }
  async callBack(callback: Proxy<ICallback>, value: number): Promise<number> {
    try {
      return (await callback.call(value)) + 1;
    } finally {
      callback[Symbol.dispose]();
    }
  }
  download(chunkBytes: number, chunks: number): Bytes {
    return writtenBytes(new Array<number>(chunks).fill(chunkBytes));
  }
  twice(): Proxy<ICounter> {
    let count = 0;
    return proxy<ICounter>(
      new (class implements ICounter {
        async next() {
          return (count += 2);
        }
      })(),
    );
  }
}

/** A connection that counts its values frames and bytes frames, and can hide `carriesValues` (an older peer). */
interface Counted extends Connection {
  readonly counts: { frames: number; values: number };
}
function counted(connection: Connection, offerValues = true): Counted {
  const counts = { frames: 0, values: 0 };
  return Object.assign(
    forwardingConnection(connection, {
      carriesValues: offerValues && connection.carriesValues === true,
      send: (frame) => {
        counts.frames++;
        connection.send(frame);
      },
      sendValues: (values, transfer, bytes) => {
        counts.values++;
        connection.sendValues!(values, transfer, bytes);
      },
    }),
    { counts },
  );
}

const live: Session[] = [];
afterEach(async () => {
  const sessions = live.splice(0);
  try {
    await expectDrained(sessions);
  } finally {
    await Promise.all(sessions.map((session) => session.terminate('test over')));
  }
});

function portSessions(options: { dialerOffers?: boolean; listenerOffers?: boolean; checked?: boolean } = {}) {
  const [a, b] = messagePortPair();
  const dialerConnection = counted(a, options.dialerOffers ?? true);
  const listenerConnection = counted(b, options.listenerOffers ?? true);
  const authenticator = unauthenticated();
  const dialer = new Session({ connection: dialerConnection, role: 'dialer', authenticator, registry });
  const listener = new Session({
    connection: listenerConnection,
    role: 'listener',
    authenticator,
    registry,
    root: proxy<IEcho>(new Echo()) as Proxy<unknown>,
  });
  if (options.checked ?? true) live.push(dialer, listener);
  return {
    dialer,
    listener,
    dialerConnection,
    listenerConnection,
    raw: a,
    remote: dialer.remoteRoot<IEcho>(),
  };
}

describe('values mode over a MessageChannel', () => {
  test('both sides offer it: calls travel as values frames and every kind of value comes back equal', async () => {
    const { remote, dialerConnection, listenerConnection } = portSessions();
    await remote.echo(0);
    const before = { dialer: dialerConnection.counts.frames, listener: listenerConnection.counts.frames };
    const point = Object.assign(new Point(), { x: 3, y: 4 });
    const large = new Uint8Array(200_000).fill(7);
    const value = {
      text: 'héllo ✓',
      numbers: [1, -2, 3.5, Number.NaN],
      big: 2n ** 70n,
      nested: { deeper: { list: [null, undefined, true] } },
      map: new Map<unknown, unknown>([['a', point]]),
      set: new Set([1, 'two']),
      date: new Date(1_700_000_000_000),
      bytes: new Uint8Array([1, 2, 3]),
      large,
      floats: new Float64Array([1.5, 2.5]),
      point,
    };
    const back = (await remote.echo(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.point).toBeInstanceOf(Point);
    expect((back.map.get('a') as Point).x).toBe(3);
    expect(large.byteLength).toBe(200_000); // the caller's bytes were copied, not moved
    expect(dialerConnection.counts.values).toBeGreaterThan(0);
    expect(listenerConnection.counts.values).toBeGreaterThan(0);
    // After establishment nothing goes as bytes (lazy housekeeping included).
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(dialerConnection.counts.frames).toBe(before.dialer);
    expect(listenerConnection.counts.frames).toBe(before.listener);
    remote[Symbol.dispose]();
  });

  test('a byte stream travels in values frames, several chunks a batch, whole and in order', async () => {
    const { remote, listenerConnection } = portSessions();
    await remote.echo(0);
    const framesBefore = listenerConnection.counts.frames;
    const stream = remote.download(40 * 1024, 20);
    stream.batchSize = 128 * 1024;
    const received: Uint8Array[] = [];
    for await (const chunk of stream) received.push(chunk);
    const all = Buffer.concat(received);
    expect(all.byteLength).toBe(20 * 40 * 1024);
    for (let index = 0; index < 20; index++) expect(all[index * 40 * 1024 + 7]).toBe(index);
    // Batches of several chunks (ByteParts, joined once into the array the clone transfers).
    expect(Math.max(...received.map((chunk) => chunk.byteLength))).toBeGreaterThan(40 * 1024);
    expect(listenerConnection.counts.frames).toBe(framesBefore);
    remote[Symbol.dispose]();
  });

  test('errors, capabilities both ways and pipelining work in values mode', async () => {
    const { remote } = portSessions();
    const failure = await remote.fail('boom').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ message: 'boom', code: 'E_TEST', cause: { detail: [1, 2] } });
    class Times10 implements ICallback {
      async call(value: number) {
        return value * 10;
      }
    }
    const callback = proxy<ICallback>(new Times10());
    expect(await remote.callBack(callback, 4)).toBe(41);
    const counter = remote.twice();
    expect(await counter.next()).toBe(2);
    expect(await counter.next()).toBe(4);
    counter[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('finishing returns (version 5): data and errors free the answer with the Return; a capability waits for its Finish', async () => {
    const { remote, listener } = portSessions();
    expect(await remote.echo({ a: [1, 2] })).toEqual({ a: [1, 2] });
    expect(listener.protocolVersion).toBe(5);
    expect(listener.stats().answers).toBe(0);
    await expect(remote.fail('boom')).rejects.toThrow('boom');
    expect(listener.stats().answers).toBe(0);
    const counter = await remote.twice();
    expect(listener.stats().answers).toBe(1); // until the lazy Finish
    expect(await counter.next()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(listener.stats().answers).toBe(0);
    counter[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a peer that does not offer it (an older version) keeps both sides on bytes', async () => {
    const { remote, dialerConnection, listenerConnection } = portSessions({ listenerOffers: false });
    expect(await remote.echo({ a: [1, 2] })).toEqual({ a: [1, 2] });
    expect(dialerConnection.counts.values).toBe(0);
    expect(listenerConnection.counts.values).toBe(0);
    remote[Symbol.dispose]();
  });

  test('tracing records values messages with their estimated size and no payload, at every level', async () => {
    const { dialer, listener, sink, remote } = tracedPortSessions<IEcho>(new Echo());
    live.push(dialer, listener);
    expect(await remote.echo('first')).toBe('first'); // may leave before establishment, as bytes
    sink.events.length = 0;
    expect(await remote.echo('traced')).toBe('traced');
    const calls = sink.events.filter((event) => event.type === 'Call' && event.direction === 'out');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.size).toBeGreaterThan(10);
    expect(calls[0]!.payload).toBeUndefined();
    // ... and what is read (the values channel traces it): the call's return.
    const returns = sink.events.filter((event) => event.type === 'Return' && event.direction === 'in');
    expect(returns).toHaveLength(1);
    expect(returns[0]!.size).toBeGreaterThan(5);
    expect(returns[0]!.payload).toBeUndefined();
    remote[Symbol.dispose]();
  });
});

describe('hostile values from a raw MessagePort peer', () => {
  const shared = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(8) : undefined;
  let deep: unknown = 1;
  for (let level = 0; level < 200; level++) deep = [deep];
  const cases: [string, () => unknown[], string, (string | undefined)?, RegExp?][] = [
    ['a Map as a message', () => [new Map([[0, 1]])], 'protocol'],
    ['an Error object in the arguments', () => [[2, 1, 0, 0, 'echo', [new Error('raw')]]], 'protocol'],
    ['a SharedArrayBuffer', () => [[2, 1, 0, 0, 'echo', [new Uint8Array(shared!)]]], 'protocol'],
    ['a RegExp', () => [[2, 1, 0, 0, 'echo', [/x/]]], 'protocol'],
    ['a boxed number outside a tag head', () => [[2, 1, 0, 0, 'echo', [Object(5), 1, 2]]], 'protocol'],
    [
      'a forged reference to an unknown import',
      () => [[2, 1, 0, 0, 'echo', [[Object(44603), [1, 999]]]]],
      'protocol',
    ],
    ['deep nesting', () => [[2, 1, 0, 0, 'echo', [deep]]], 'limit', 'too-deep'],
    [
      'a huge string',
      () => [[2, 1, 0, 0, 'echo', ['x'.repeat(5 * 1024 * 1024)]]],
      'limit',
      'string-too-long',
    ],
    [
      'an object with 250 000 keys',
      () => {
        const wide: Record<string, number> = {};
        for (let index = 0; index < 250_000; index++) wide[`k${index}`] = index;
        return [[2, 1, 0, 0, 'echo', [wide]]];
      },
      'limit',
      'record-too-wide',
    ],
    [
      'a frame estimated past maxFrameBytes',
      () => [[2, 1, 0, 0, 'echo', Array.from({ length: 40 }, () => 'y'.repeat(1024 * 1024))]],
      'limit',
      'maxFrameBytes',
    ],
    [
      'a view into a larger buffer',
      () => [[2, 1, 0, 0, 'echo', [new Uint8Array(new ArrayBuffer(1024), 0, 1)]]],
      'protocol',
    ],
    [
      // 22 small arrays in a clone of under 500 bytes; read place by place, four million.
      'arrays each pointing twice at the next',
      () => {
        let dag: unknown = [0, 0];
        for (let level = 0; level < 21; level++) dag = [dag, dag];
        return [[3, 1, 0, 0, 'echo', [dag]]];
      },
      'protocol',
      undefined,
      /in two places/,
    ],
    [
      'arrays of a million holes each',
      () => {
        const holes = Array.from({ length: 15 }, () => {
          const array: unknown[] = [];
          array.length = 1 << 20;
          return array;
        });
        return [[3, 1, 0, 0, 'echo', holes]];
      },
      'protocol',
      undefined,
      /without holes/,
    ],
    [
      'one object in two messages of a frame',
      () => {
        const shared = { list: Array.from({ length: 1000 }, (_, index) => index) };
        return [
          [3, 1, 0, 0, 'echo', [shared]],
          [3, 3, 0, 0, 'echo', [shared]],
        ];
      },
      'protocol',
      undefined,
      /in two places/,
    ],
  ];

  test.each(cases)(
    '%s ends the session with its code',
    { timeout: 60_000 },
    async (_name, make, code, limit, message) => {
      const { listener, dialer, raw, remote } = portSessions({ checked: false });
      await remote.echo('established');
      // Declared at the largest size the connection takes, so the frame's own checks decide.
      raw.sendValues!(make(), [], raw.maxFrameBytes);
      const reason = await listener.closed;
      expect(reason.code).toBe(code);
      if (limit !== undefined) expect(reason.limit).toBe(limit);
      if (message !== undefined) expect(reason.message).toMatch(message);
      // Nothing of the refused frame stays: every table is back to empty.
      expect(listener.stats()).toMatchObject({ questions: 0, answers: 0, imports: 0 });
      remote[Symbol.dispose]();
      await dialer.closed;
    },
  );

  test('a detached buffer cannot even be posted, and the session carries on', async () => {
    const { remote, raw } = portSessions({ checked: false });
    await remote.echo('established');
    const bytes = new Uint8Array(16);
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] }); // detaches it
    let posted = true;
    try {
      raw.sendValues!([[2, 1, 0, 0, 'echo', [bytes]]], [], 10);
    } catch {
      posted = false;
    }
    if (!posted) expect(await remote.echo('still here')).toBe('still here');
    remote[Symbol.dispose]();
  });

  test('a values frame estimated larger than its declared size ends the session with protocol', async () => {
    // The connection counts the declared size for its budget and acknowledgements: a sender
    // declaring 0 must not get a frame of any size past that accounting.
    const { listener, raw, remote } = portSessions({ checked: false });
    await remote.echo('established');
    raw.sendValues!([[2, 1, 0, 0, 'echo', ['z'.repeat(4096)]]], [], 0);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toMatch(/declared/);
    remote[Symbol.dispose]();
  });

  test('a frame past maxFrameBytes over several messages is refused naming the limit, not what was left of it', async () => {
    const { listener, raw, remote } = portSessions({ checked: false });
    await remote.echo('established');
    const strings = () => Array.from({ length: 3 }, () => 'y'.repeat(3.5 * 1024 * 1024));
    raw.sendValues!(
      [
        [3, 1, 0, 0, 'echo', strings()],
        [3, 3, 0, 0, 'echo', strings()],
      ],
      [],
      raw.maxFrameBytes,
    );
    const reason = await listener.closed;
    expect(reason).toMatchObject({ code: 'limit', limit: 'maxFrameBytes' });
    expect(reason.message).toContain(`at most ${raw.maxFrameBytes} bytes`);
    remote[Symbol.dispose]();
  });

  test('a values frame before both sides agreed ends the session with protocol', async () => {
    const { listener, raw, remote } = portSessions({ listenerOffers: false, checked: false });
    await remote.echo('established on bytes');
    raw.sendValues!([[2, 1, 0, 0, 'echo', []]], [], 10);
    expect((await listener.closed).code).toBe('protocol');
    remote[Symbol.dispose]();
  });
});
