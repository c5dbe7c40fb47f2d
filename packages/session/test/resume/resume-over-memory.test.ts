import { AbortedError, type Sequence, sequence } from '@msc/eventual';
import { afterEach, describe, expect, test } from 'vitest';
import { expectDrained } from '../fixtures/leak-check.ts';
import { Ledger } from '../fixtures/ledger.ts';
import { type ResumablePair, resumablePair, until } from '../fixtures/resumable-pair.ts';

const pairs: ResumablePair[] = [];

function pair(options: Parameters<typeof resumablePair<Ledger>>[0] = {}) {
  const target = new Ledger();
  const made = resumablePair<Ledger>({ target, ...options });
  pairs.push(made);
  // The pair itself, not a copy: its `dialFailure` is read by the dial function it made, so a test
  // that sets it on a copy would set nothing (the dial succeeds, the dialer resumes at once).
  return Object.assign(made, { target });
}

afterEach(async () => {
  const ended = pairs.splice(0);
  try {
    await expectDrained(
      ended.flatMap((each) => [each.dialer, each.listener]).filter((session) => !session.isTerminated),
    );
  } finally {
    await Promise.all(
      ended.flatMap((each) => [each.dialer.terminate('test over'), each.listener.terminate('test over')]),
    );
  }
});

describe('a session that survives a cut connection', () => {
  test('both sides agree on resumption: version 3, a parked session registered at the listener', async () => {
    const { dialer, listener, parked } = pair();
    await dialer.established;
    await listener.established;
    // 5: resumption (3), the call context (4) and finishing returns (5); both hellos carry `resume`.
    expect(dialer.protocolVersion).toBe(5);
    await until(() => parked.size === 1);
  });

  test('calls in flight across a cut complete once each, in order, and the events say what happened', async () => {
    const { dialer, remote, target, cut, events, parked } = pair();
    await dialer.established;
    await until(() => parked.size === 1);
    const results: Promise<number>[] = [];
    for (let index = 1; index <= 20; index++) results.push(remote.add(index));
    await Promise.resolve();
    cut(); // the calls are sent (flushed this microtask) but not delivered: lost on the wire
    expect(target.calls.length).toBeLessThan(20);
    for (let index = 21; index <= 40; index++) results.push(remote.add(index)); // sent while parked
    const values = await Promise.all(results);
    // Instance order: every call ran once, in the order made.
    expect(target.calls).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    expect(values.at(-1)).toBe((40 * 41) / 2);
    expect(events.dialer.map((event) => event.type)).toEqual(['disconnected', 'resuming', 'resumed']);
    expect(events.listener.map((event) => event.type)).toEqual(['disconnected', 'resumed']);
    expect(dialer.isTerminated).toBe(false);
  });

  test('a cut while calls run at the callee: their returns are replayed after the resume', async () => {
    const { dialer, remote, target, cut, parked } = pair();
    await dialer.established;
    await until(() => parked.size === 1);
    const results = [remote.slow(1, 30), remote.slow(2, 30), remote.add(3)];
    await until(() => target.calls.includes(3));
    cut();
    expect(await Promise.all(results)).toEqual([4, 6, 3]);
    expect(target.calls).toEqual([3, 1, 2]);
  });

  test('repeated cuts: 5 blips in a run of 200 calls lose nothing and repeat nothing', async () => {
    const { dialer, remote, target, cut, parked, events } = pair();
    await dialer.established;
    await until(() => parked.size === 1);
    const results: Promise<number>[] = [];
    for (let index = 1; index <= 200; index++) {
      results.push(remote.add(index));
      if (index % 40 === 0) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        cut();
        // The next blip comes once this one is over (a cut of a parked session cuts nothing).
        const resumed = index / 40;
        await until(() => events.dialer.filter((event) => event.type === 'resumed').length === resumed);
      }
    }
    await Promise.all(results);
    expect(target.calls).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    expect(events.dialer.filter((event) => event.type === 'resumed').length).toBe(5);
  });

  test('a stream continues where it was: every item once, in order, across two cuts', async () => {
    const { dialer, remote, cut, parked } = pair();
    await dialer.established;
    await until(() => parked.size === 1);
    const items = remote.count(2000);
    const received: number[] = [];
    let cuts = 0;
    for await (const item of items as unknown as AsyncIterable<number>) {
      received.push(item);
      if ((item === 500 || item === 1500) && cuts < 2) {
        cuts++;
        cut();
      }
    }
    expect(received).toEqual(Array.from({ length: 2000 }, (_, index) => index));
  });

  test('a stream from the dialer continues across a cut', async () => {
    const { dialer, remote, cut, parked } = pair();
    await dialer.established;
    await until(() => parked.size === 1);
    const [items, writer] = sequence<number>();
    const total = remote.sum(items);
    for (let index = 0; index < 1000; index++) {
      writer.write(index);
      if (index === 400) cut();
      if (writer.desiredSize <= 0) await writer.flush();
    }
    await writer.close();
    expect(await total).toBe((999 * 1000) / 2);
  });

  test('a parked dialer streaming 64 KiB items holds within maxHeldBytes, and every item arrives', async () => {
    // The sink's window (128 items, 8 MiB) is more than the dialer may hold while parked (4 MiB by
    // default): the items wait in the producer's queue, not in the held frames, because a sequence's
    // batch is sized by bytes (before, one batch took 64 items, 4 MiB, and the session was lost).
    const made = pair();
    const { dialer, remote, target, parked } = made;
    await dialer.established;
    await until(() => parked.size === 1);
    const [items, writer] = sequence<Uint8Array>({ capacity: 128 });
    await remote.hold(items, 128);
    made.dialFailure = new Error('down');
    made.cut();
    await until(() => dialer.resumption?.state === 'parked');
    const itemBytes = 64 * 1024;
    let peak = 0;
    // Written in one turn, so they are buffered together when the pump runs.
    for (let index = 0; index < 100; index++) writer.write(new Uint8Array(itemBytes).fill(index));
    const closing = writer.close();
    for (let turn = 0; turn < 20; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      peak = Math.max(peak, dialer.resumption!.heldBytes);
    }
    expect(dialer.isTerminated).toBe(false);
    expect(peak).toBeGreaterThan(itemBytes);
    expect(peak).toBeLessThanOrEqual(4 * 1024 * 1024);
    made.dialFailure = undefined;
    const received: number[] = [];
    for await (const item of target.held[0] as Sequence<Uint8Array>) {
      expect(item.byteLength).toBe(itemBytes);
      expect(item[0]).toBe(received.length % 256);
      expect(item[itemBytes - 1]).toBe(received.length % 256);
      received.push(received.length);
    }
    await closing;
    expect(received.length).toBe(100);
  }, 20_000); // parked while the items are written: on a loaded machine the redial backoff has grown toward its 2 s cap

  test('a cut during the resume itself: the next attempt resumes', async () => {
    const { dialer, remote, target, cut, parked, events, connections } = pair();
    await dialer.established;
    await until(() => parked.size === 1);
    const first = remote.add(1);
    cut();
    // Break the first resume connection as soon as it exists.
    await until(() => connections.length === 2, 2000);
    connections[1]!.breakNow();
    expect(await first).toBe(1);
    expect(await remote.add(2)).toBe(3);
    expect(target.calls).toEqual([1, 2]);
    expect(events.dialer.filter((event) => event.type === 'resuming').length).toBeGreaterThanOrEqual(2);
  });
});

describe('past the window the session ends as it does today', () => {
  test('no connection within graceMs: lost, calls abort, the session ends with connection-lost', async () => {
    const made = pair({
      dialerResume: { graceMs: 150 },
      listenerResume: { graceMs: 150 },
    });
    const { dialer, listener, remote, cut, parked, events } = made;
    await dialer.established;
    await until(() => parked.size === 1);
    made.dialFailure = new Error('the network is down');
    cut();
    const call = remote.add(1);
    await expect(call).rejects.toBeInstanceOf(AbortedError);
    const reason = await dialer.closed;
    expect(reason.code).toBe('connection-lost');
    expect(reason.message).toMatch(/resume\.graceMs/);
    expect((await listener.closed).code).toBe('connection-lost');
    expect(events.dialer.at(-1)?.type).toBe('lost');
    expect(events.listener.at(-1)?.type).toBe('lost');
    expect(parked.size).toBe(0);
    expect(parked.parked).toBe(0);
  });

  test('a listener that ended meanwhile refuses the resume: the dialer is lost at once, not after its window', async () => {
    const each = pair();
    const { dialer, listener, remote, cut, parked, events } = each;
    await dialer.established;
    await until(() => parked.size === 1);
    each.dialFailure = new Error('down for now');
    cut();
    await until(() => parked.parked === 1);
    await listener.terminate('the server restarts');
    // The listener's registry drops it at once: nothing is held for it during the dialer's window.
    expect(parked.parked).toBe(0);
    expect(parked.size).toBe(0);
    expect(parked.parkedBytes).toBe(0);
    const call = remote.add(1);
    const started = performance.now();
    each.dialFailure = undefined;
    const reason = await dialer.closed;
    expect(performance.now() - started).toBeLessThan(3000); // the window is 30 s
    expect(reason.message).toMatch(/terminated/);
    expect(events.dialer.at(-1)).toMatchObject({ type: 'lost' });
    await expect(call).rejects.toBeInstanceOf(AbortedError);
  });

  test('terminate() on a parked session ends it at once', async () => {
    const made = pair();
    const { dialer, cut, parked } = made;
    await dialer.established;
    await until(() => parked.size === 1);
    made.dialFailure = new Error('the network is down');
    cut();
    await until(() => parked.parked === 1);
    await dialer.terminate('bye');
    expect((await dialer.closed).code).toBe('closed');
  });

  test('a peer without resumption: the session is as before (no resumption) and a cut ends it', async () => {
    const { dialer, listener, cut } = pair({ listenerResume: false });
    await dialer.established;
    expect(dialer.protocolVersion).toBe(5); // finishing returns, without resumption
    expect(listener.protocolVersion).toBe(5);
    cut();
    expect((await dialer.closed).code).toBe('connection-lost');
    expect(await dialer.closed).toBeDefined();
  });
});
