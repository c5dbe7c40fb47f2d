/**
 * Finishing returns (protocol version 5, docs/protocol.md#finishing-returns): a call whose result
 * can name no capability costs a `Call` and a `Return`, no `Finish`; what the caller sent on the
 * answer before the `Return` reached it is settled as in one process. Every test is also a leak
 * check (the harness: both sides' tables back to their roots).
 */
import { NotCapabilityError, type Proxy, proxy } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { memoryTraceSink, type TraceEvent, traceMessages } from '../src/index.ts';
import { MessageType } from '../src/wire/protocol.ts';
import { framedWithDescriptors, Named } from './fixtures/forged-descriptors.ts';
import { rawPeer, recordingAnswerTable } from './fixtures.ts';
import { served, sleep, turns } from './harness.ts';

interface ICounter {
  inc(): number;
}

class Counter implements ICounter {
  #value = 0;
  inc(): number {
    return ++this.#value;
  }
}

interface IStore {
  value(): number;
  fail(): number;
  counter(): Proxy<ICounter>;
  boxed(): { counter: Proxy<ICounter> };
  take(value: Promise<number>): Promise<string>;
}

class StoreError extends Error {
  override name = 'StoreError';
}

class Store implements IStore {
  value(): number {
    return 41;
  }
  fail(): number {
    throw new StoreError('no such thing');
  }
  counter(): Proxy<ICounter> {
    return proxy<ICounter>(new Counter());
  }
  boxed(): { counter: Proxy<ICounter> } {
    return { counter: proxy<ICounter>(new Counter()) };
  }
  async take(value: Promise<number>): Promise<string> {
    try {
      return `took ${String(await value)}`;
    } catch (error) {
      return `failed with ${(error as Error).name}: ${(error as Error).message}`;
    }
  }
}

function traced(options: { dialerVersions?: number[]; listenerVersions?: number[]; delayMs?: number } = {}) {
  const client = memoryTraceSink();
  const server = memoryTraceSink();
  const pair = served<IStore>(new Store(), {
    ...(options.delayMs !== undefined ? { connection: { delayMs: options.delayMs } } : {}),
    dialer: {
      trace: traceMessages({ level: 'messages', sink: client, label: 'client' }),
      ...(options.dialerVersions !== undefined ? { versions: options.dialerVersions } : {}),
    },
    listener: {
      trace: traceMessages({ level: 'messages', sink: server, label: 'server' }),
      ...(options.listenerVersions !== undefined ? { versions: options.listenerVersions } : {}),
    },
  });
  const sent = (type: string) =>
    client.events.filter((event: TraceEvent) => event.type === type && event.direction === 'out');
  const received = (type: string) =>
    server.events.filter((event: TraceEvent) => event.type === type && event.direction === 'out');
  return { ...pair, client, server, sent, received };
}

describe('finishing returns (version 5)', () => {
  test('a call returning data or an error costs a Call and a Return: no Finish, and the answer goes with the Return', async () => {
    const { remote, listener, dialer, sent } = traced();
    expect(await remote.value()).toBe(41);
    // The listener dropped the answer as it sent the Return: nothing waits for a Finish.
    expect(listener.stats().answers).toBe(0);
    await expect(remote.fail()).rejects.toMatchObject({ name: 'StoreError', message: 'no such thing' });
    expect(listener.stats().answers).toBe(0);
    await turns();
    expect(sent('Finish')).toEqual([]);
    expect(dialer.protocolVersion).toBe(5);
    remote[Symbol.dispose]();
  });

  test('a capability, or data with a capability in it, keeps its answer until the Finish', async () => {
    const { remote, listener, sent } = traced();
    const counter = await remote.counter();
    expect(await counter.inc()).toBe(1);
    const boxed = await remote.boxed();
    expect(await boxed.counter.inc()).toBe(1);
    await turns();
    // counter() and boxed() were finished; the two inc() calls returned data and were not.
    expect(sent('Finish').length).toBe(2);
    expect(listener.stats().answers).toBe(0);
    counter[Symbol.dispose]();
    boxed.counter[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('with a version 4 peer on either side, every answer gets its Finish as before', async () => {
    for (const versions of [{ dialerVersions: [1, 2, 4] }, { listenerVersions: [1, 2, 4] }]) {
      const { remote, dialer, listener, sent } = traced(versions);
      expect(await remote.value()).toBe(41);
      await expect(remote.fail()).rejects.toThrow('no such thing');
      const counter = remote.counter();
      expect(await counter.inc()).toBe(1);
      await turns();
      expect(dialer.protocolVersion).toBe(4);
      expect(sent('Finish').length).toBe(4);
      expect(listener.stats().answers).toBe(0);
      counter[Symbol.dispose]();
      remote[Symbol.dispose]();
    }
  });
});

describe('calls pipelined on an answer that finished before they arrived (one-way delay 20 ms)', () => {
  // The Call reaches the callee at 20 ms, its finishing Return leaves at once and reaches the caller
  // at 40 ms; a call pipelined at 30 ms reaches the callee at 50 ms, after the answer is gone.

  test('on data: NotCapabilityError naming the method, as in one process; a chain fails the same', async () => {
    const { remote, listener, received } = traced({ delayMs: 20 });
    await remote.whenResolved();
    const value = remote.value() as unknown as Proxy<ICounter>;
    await sleep(30);
    const pipelined = value.inc();
    const chained = (pipelined as unknown as Proxy<ICounter>).inc();
    const error = await pipelined.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(NotCapabilityError);
    expect((error as Error).message).toContain('inc');
    await expect(chained).rejects.toBe(error);
    expect(await (value as unknown as Promise<number>)).toBe(41);
    // The callee answered both at once and holds nothing for them.
    expect(received('Return').map((event) => event.fields.result)).toEqual([
      'value',
      'target-finished',
      'target-finished',
    ]);
    expect(listener.stats().answers).toBe(0);
    remote[Symbol.dispose]();
  });

  test('on an error: the same error; a call pipelined before the Return left fails alike', async () => {
    const { remote, received } = traced({ delayMs: 20 });
    await remote.whenResolved();
    const failed = remote.fail() as unknown as Proxy<ICounter>;
    const early = failed.inc(); // reaches the callee with the call, while the answer is live
    await sleep(30);
    const late = failed.inc(); // reaches it after the answer finished
    await expect(early).rejects.toMatchObject({ name: 'StoreError', message: 'no such thing' });
    await expect(late).rejects.toMatchObject({ name: 'StoreError', message: 'no such thing' });
    await expect(failed as unknown as Promise<number>).rejects.toThrow('no such thing');
    expect(received('Return').map((event) => event.fields.result)).toEqual([
      'error',
      'error',
      'target-finished',
    ]);
    remote[Symbol.dispose]();
  });

  test('calls on another proxy keep their order around them (instance order)', async () => {
    const { remote } = traced({ delayMs: 20 });
    await remote.whenResolved();
    const counter = remote.counter();
    const value = remote.value() as unknown as Proxy<ICounter>;
    const first = counter.inc();
    await sleep(30);
    const failing = value.inc();
    const second = counter.inc();
    expect([await first, await second]).toEqual([1, 2]);
    await expect(failing).rejects.toBeInstanceOf(NotCapabilityError);
    counter[Symbol.dispose]();
    remote[Symbol.dispose]();
  });
});

describe('a result passed back before its finishing Return arrived (AnswerCopy)', () => {
  test('the callee gets the value: the stand-in settles with the caller’s copy', async () => {
    const { remote, listener, sent } = traced({ delayMs: 20 });
    await remote.whenResolved();
    const value = remote.value();
    await sleep(30);
    const took = remote.take(value as unknown as Promise<number>);
    expect(await took).toBe('took 41');
    expect(sent('AnswerCopy').map((event) => event.fields.result)).toEqual(['value']);
    expect(listener.stats().answers).toBe(0);
    remote[Symbol.dispose]();
  });

  test('an error reaches the callee as the error', async () => {
    const { remote, sent } = traced({ delayMs: 20 });
    await remote.whenResolved();
    const failed = remote.fail();
    await sleep(30);
    expect(await remote.take(failed as unknown as Promise<number>)).toBe(
      'failed with StoreError: no such thing',
    );
    expect(sent('AnswerCopy').map((event) => event.fields.result)).toEqual(['error']);
    await expect(failed).rejects.toThrow('no such thing');
    remote[Symbol.dispose]();
  });

  test('passed while the answer was live, the callee has it as before; the copy that follows is ignored', async () => {
    const { remote, listener, sent } = traced();
    const value = remote.value();
    expect(await remote.take(value as unknown as Promise<number>)).toBe('took 41');
    expect(await value).toBe(41);
    await turns();
    expect(sent('AnswerCopy').length).toBe(1);
    expect(listener.stats().answers).toBe(0);
    remote[Symbol.dispose]();
  });
});

describe('hostile input against finishing returns', () => {
  test('a call on an answer id the peer never used is answered TargetFinished; nothing is kept, its arguments are released', async () => {
    const { answers, sent } = recordingAnswerTable(5);
    const exports = { handler: () => undefined } as never;
    let disposed = 0;
    for (let id = 0; id < 100; id++) {
      // The argument stands for a capability the decoding made (the call's to release).
      const lent = proxy<ICounter>(Object.assign(new Counter(), { [Symbol.dispose]: () => disposed++ }));
      answers.receiveCall_([MessageType.Call, 5000 + id, 1, 9000 + id, 'inc', [lent]], exports, true);
    }
    expect(answers.size).toBe(0);
    await turns();
    expect(disposed).toBe(100);
    expect(sent.length).toBe(100);
    expect(sent[0]).toEqual([MessageType.Return, 5000, 3]);
    // A call on a missing export is still a protocol violation.
    expect(() => answers.receiveCall_([MessageType.Call, 6000, 0, 7, 'inc', []], exports, false)).toThrow(
      'call on export 7, which does not exist',
    );
  });

  test('descriptors naming answers that never were: stand-ins count against maxAnswers, and go with the session', async () => {
    const peer = rawPeer<IStore>(new Store(), { listener: { limits: { maxAnswers: 8 } } });
    await peer.remote.whenResolved();
    const wire = peer.connections[0];
    for (let id = 0; id < 4; id++) {
      wire.send(
        framedWithDescriptors([MessageType.Call, 5000 + id, 0, 0, 'take', [new Named(2, 7000 + id)]]),
      );
    }
    await turns();
    // Four stand-ins (never copied) and the four `take` calls waiting on them.
    expect(peer.listener.stats().answers).toBe(8);
    wire.send(framedWithDescriptors([MessageType.Call, 5100, 0, 0, 'take', [new Named(2, 7100)]]));
    const reason = await peer.listener.closed;
    expect(reason).toMatchObject({ code: 'limit' });
    expect(peer.listener.stats().answers).toBe(0);
  });

  test('an AnswerCopy for no stand-in is ignored; one holding a capability is a protocol violation', async () => {
    const peer = rawPeer<IStore>(new Store());
    await peer.remote.whenResolved();
    peer.send([MessageType.AnswerCopy, 4000, 0, 'anything']);
    expect(await peer.remote.value()).toBe(41);
    peer.send([MessageType.AnswerCopy, 4001, 2, 'an error']);
    expect(await peer.remote.value()).toBe(41);
    peer.connections[0].send(framedWithDescriptors([MessageType.AnswerCopy, 4002, 0, [new Named(0, 300)]]));
    const reason = await peer.listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('an answer copy with a capability');
    expect(peer.listener.stats().imports).toBe(0);
  });

  test('a malformed AnswerCopy is a protocol violation', async () => {
    const peer = rawPeer<IStore>(new Store());
    await peer.remote.whenResolved();
    peer.send([MessageType.AnswerCopy, 4002, 1, [0, 3]]);
    expect((await peer.listener.closed).message).toContain('malformed answer copy');
  });

  test('a TargetFinished return for a question that was not pipelined is a protocol violation', async () => {
    const peer = rawPeer<IStore>(new Store(), { connection: { delayMs: 5 } });
    await peer.remote.whenResolved();
    const pending = peer.remote.value();
    // The dialer's first question is 0: the listener's wire answers it before the listener can.
    peer.connections[1].send(framedWithDescriptors([MessageType.Return, 0, 3]));
    const reason = await peer.dialer.closed;
    expect(reason).toMatchObject({ code: 'protocol' });
    expect(reason.message).toContain('its target did not finish');
    await expect(pending).rejects.toThrow();
  });

  test('a version 4 peer may send neither TargetFinished nor AnswerCopy, and a call on a missing answer stays a violation', async () => {
    for (const message of [
      [MessageType.AnswerCopy, 4000, 0, 1],
      [MessageType.Call, 5000, 1, 9000, 'inc', []],
    ]) {
      const peer = rawPeer<IStore>(new Store(), { dialer: { versions: [1, 2, 4] } });
      await peer.remote.whenResolved();
      peer.send(message);
      expect((await peer.listener.closed).code).toBe('protocol');
    }
    const peer = rawPeer<IStore>(new Store(), {
      listener: { versions: [1, 2, 4] },
      connection: { delayMs: 5 },
    });
    await peer.remote.whenResolved();
    const pending = peer.remote.value();
    peer.connections[1].send(framedWithDescriptors([MessageType.Return, 0, 3]));
    expect((await peer.dialer.closed).code).toBe('protocol');
    await expect(pending).rejects.toThrow();
  });
});
