import { type DeliveryScheduler, DialError, ListenError } from '@msc/transport';
import { FrameRecorder } from '@msc/transport/compliance';
import { describe, expect, it } from 'vitest';
import { MemoryRegistry, memory, memoryPair } from '../src/index.ts';

const frame = (value: number) => Uint8Array.of(value);
const values = (recorder: FrameRecorder) => recorder.frames.map((bytes) => bytes[0]);

/** A scheduler a test drives by hand: deliveries wait until the test runs them, in an order it chooses. */
function manualScheduler() {
  const pending: (() => void)[] = [];
  const scheduler: DeliveryScheduler = (deliver) => {
    pending.push(deliver);
  };
  return { scheduler, pending };
}

/** A tiny seeded generator (mulberry32), so a "random" interleaving can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe('memory delivery', () => {
  it('delayMs holds every frame back by at least the delay, and keeps them FIFO', async () => {
    const [left, right] = memoryPair({ delayMs: 30 });
    const arrivals: number[] = [];
    const started = performance.now();
    const rightFrames = new FrameRecorder();
    right.start({
      frame: (bytes) => {
        arrivals.push(performance.now() - started);
        rightFrames.frame(bytes);
      },
      closed: (reason) => rightFrames.closed(reason),
    });
    left.start(new FrameRecorder());
    for (let index = 0; index < 20; index++) left.send(frame(index));
    expect(left.bufferedBytes).toBe(20); // in flight
    await rightFrames.untilFrames(20);
    expect(values(rightFrames)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    // A lower bound, not a speed claim: nothing may arrive before the delay (timers may round by ~1 ms).
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(28);
    await left.close();
  });

  it('with a delay, a graceful close still arrives after the frames sent before it', async () => {
    const [left, right] = memoryPair({ delayMs: 10 });
    const rightFrames = new FrameRecorder();
    left.start(new FrameRecorder());
    right.start(rightFrames);
    left.send(frame(1));
    left.send(frame(2));
    await left.close();
    expect(values(rightFrames)).toEqual([1, 2]);
    expect(await rightFrames.untilClosed()).toMatchObject({ code: 'normal', remote: true });
  });

  it('close() carries its code and message to the peer', async () => {
    const [left, right] = memoryPair();
    const rightFrames = new FrameRecorder();
    left.start(new FrameRecorder());
    right.start(rightFrames);
    await left.close({ code: 'protocol', message: 'unsupported version' });
    expect(await rightFrames.untilClosed()).toEqual({
      code: 'protocol',
      message: 'unsupported version',
      remote: true,
    });
  });

  it('a scheduler hook decides when deliveries run', async () => {
    const { scheduler, pending } = manualScheduler();
    const [left, right] = memoryPair({ scheduler });
    const rightFrames = new FrameRecorder();
    right.start(rightFrames);
    left.start(new FrameRecorder());
    left.send(frame(1));
    left.send(frame(2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(rightFrames.frames).toEqual([]); // nothing runs until the test says so
    expect(pending.length).toBe(1); // one batch for both frames
    pending.shift()!();
    expect(values(rightFrames)).toEqual([1, 2]);
  });

  it('a seeded scheduler replays the same interleaving of two connections', async () => {
    const run = (seed: number) => {
      const random = seeded(seed);
      const pending: (() => void)[] = [];
      const scheduler: DeliveryScheduler = (deliver) => {
        pending.push(deliver);
      };
      const trace: string[] = [];
      const pairs = ['a', 'b', 'c'].map((name) => {
        const [left, right] = memoryPair({ scheduler });
        right.start({
          frame: (bytes) => trace.push(`${name}${bytes[0]}`),
          closed: () => trace.push(`${name}!`),
        });
        left.start({ frame: () => {}, closed: () => {} });
        return left;
      });
      for (let round = 0; round < 5; round++) {
        for (const left of pairs) left.send(frame(round));
        // Run the pending deliveries in a seeded random order.
        while (pending.length > 0) pending.splice(Math.floor(random() * pending.length), 1)[0]!();
      }
      for (const left of pairs) void left.close();
      while (pending.length > 0) pending.splice(Math.floor(random() * pending.length), 1)[0]!();
      return trace.join(' ');
    };
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
  });

  it('a peer that has not started pushes back: bufferedBytes grows and whenDrained() waits for it', async () => {
    const [left, right] = memoryPair({ lowWaterMarkBytes: 100 });
    left.start(new FrameRecorder());
    for (let index = 0; index < 10; index++) left.send(new Uint8Array(50));
    expect(left.bufferedBytes).toBe(500);
    let drained = false;
    const waiting = left.whenDrained().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(drained).toBe(false);
    right.start(new FrameRecorder());
    await waiting;
    expect(left.bufferedBytes).toBe(0);
  });

  it('a same-thread exchange that never stops does not starve timers', async () => {
    const [left, right] = memoryPair();
    let rounds = 0;
    left.start({
      frame: (bytes) => {
        rounds++;
        left.send(bytes);
      },
      closed: () => {},
    });
    right.start({ frame: (bytes) => right.send(bytes), closed: () => {} });
    left.send(frame(0));
    // If every delivery were a microtask, this timer would never fire.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rounds).toBeGreaterThan(0);
    left.abort();
  });
});

describe('memory() addresses and registries', () => {
  it('listening on "memory:" picks a fresh name, and a bare name is the same address', async () => {
    const transport = memory({ registry: new MemoryRegistry() });
    const first = await transport.listen('memory:', () => {});
    const second = await transport.listen('memory:', () => {});
    expect(first.address).toMatch(/^memory:.+/);
    expect(second.address).not.toBe(first.address);
    const named = await transport.listen('lobby', (connection) => connection.start(new FrameRecorder()));
    expect(named.address).toBe('memory:lobby');
    const connection = await transport.dial('lobby');
    expect(connection.remoteAddress).toBe('memory:lobby');
    expect(connection.localAddress).toMatch(/^memory:lobby#\d+$/);
    await connection.close();
    await Promise.all([first.close(), second.close(), named.close()]);
  });

  it('a second listener on the same address is refused with ListenError "address-in-use"', async () => {
    const transport = memory({ registry: new MemoryRegistry() });
    const listener = await transport.listen('memory:taken', () => {});
    await expect(transport.listen('memory:taken', () => {})).rejects.toMatchObject({
      name: 'ListenError',
      code: 'address-in-use',
    });
    await listener.close();
    const again = await transport.listen('memory:taken', () => {});
    await again.close();
  });

  it('addresses of other schemes are refused as "bad-address"', async () => {
    const transport = memory();
    await expect(transport.dial('tcp:127.0.0.1:5000')).rejects.toBeInstanceOf(DialError);
    await expect(transport.dial('tcp:127.0.0.1:5000')).rejects.toMatchObject({ code: 'bad-address' });
    await expect(transport.dial('memory:')).rejects.toMatchObject({ code: 'bad-address' });
    await expect(transport.listen('ws://host', () => {})).rejects.toBeInstanceOf(ListenError);
  });

  it('transports made without a registry share the default one; separate registries are isolated', async () => {
    const server = memory();
    const listener = await server.listen('memory:shared-default-test', (connection) => connection.abort());
    const client = memory();
    const connection = await client.dial('memory:shared-default-test');
    expect((await connection.closed).code).toBe('aborted');
    await expect(
      memory({ registry: new MemoryRegistry() }).dial('memory:shared-default-test'),
    ).rejects.toMatchObject({ code: 'refused' });
    await listener.close();
  });

  it('a dial slower than its timeout fails with "timeout", an aborted one with "aborted"', async () => {
    const transport = memory({ registry: new MemoryRegistry(), delayMs: 50 });
    const listener = await transport.listen('memory:slow', (connection) => connection.abort());
    await expect(transport.dial('memory:slow', { timeoutMs: 5 })).rejects.toMatchObject({ code: 'timeout' });
    const controller = new AbortController();
    const dialing = transport.dial('memory:slow', { signal: controller.signal });
    controller.abort();
    await expect(dialing).rejects.toMatchObject({ name: 'DialError', code: 'aborted' });
    await listener.close();
  });
});
