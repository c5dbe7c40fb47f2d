import { getEventListeners } from 'node:events';
import { type Proxy, proxy } from '@msc/eventual';
import {
  CallAbortError,
  type CallContext,
  CallTimeoutError,
  callContext,
  withOptions,
} from '@msc/eventual/context';
import { PromiseHandler } from '@msc/eventual/handler';
import { describe, expect, test } from 'vitest';
import { type TraceEvent, traceMessages } from '../src/index.ts';
import { MessageType } from '../src/wire/protocol.ts';
import { recordingAnswerTable } from './fixtures.ts';
import { sessionPair, sleep, turns } from './harness.ts';

/**
 * The call context on the wire (protocol version 4): what a peer of version 2 sees, what a hostile
 * peer may send, and the bounds on what it declares. The scenarios over memory and TCP are in
 * `@msc/transport-tcp`'s call-context.test.ts, over a SIP in `@msc/sip`'s.
 */

interface IWorker {
  work(ms: number): Promise<string>;
  context(): Promise<{ remaining: number; traceparent: string | undefined; tracestate: string | undefined }>;
}

class Worker implements IWorker {
  readonly log: string[] = [];
  readonly contexts: CallContext[] = [];
  work(ms: number): Promise<string> {
    const context = callContext();
    this.contexts.push(context);
    this.log.push('work');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('done'), ms);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.log.push(`aborted: ${(context.signal.reason as Error).name}`);
        resolve('stopped');
      });
    });
  }
  readonly seen: { remaining: number; traceparent: string | undefined; tracestate: string | undefined }[] =
    [];
  async context() {
    const context = callContext();
    const seen = {
      remaining: context.remainingMs(),
      traceparent: context.trace?.traceparent,
      tracestate: context.trace?.tracestate,
    };
    this.seen.push(seen);
    return seen;
  }
}

/**
 * A hand-made frame of messages, as a hostile peer would send it. The dialer's session never asked
 * the calls forged here, so their returns end it: what a test observes must arrive in one frame.
 */
async function forged(...messages: unknown[][]): Promise<Uint8Array> {
  const { Codec } = await import('@msc/serialization');
  const codec = new Codec();
  const encoded = messages.map((message) => codec.encode(message));
  const frame = new Uint8Array(encoded.reduce((total, bytes) => total + 4 + bytes.byteLength, 0));
  let offset = 0;
  for (const bytes of encoded) {
    new DataView(frame.buffer).setUint32(offset, bytes.byteLength);
    frame.set(bytes, offset + 4);
    offset += 4 + bytes.byteLength;
  }
  return frame;
}

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('call context on the wire', () => {
  test('a version 4 pair sends the context and a Cancel; a finished call sends none', async () => {
    const worker = new Worker();
    const sent: TraceEvent[] = [];
    const pair = sessionPair({
      listenerRoot: proxy<IWorker>(worker) as Proxy<unknown>,
      dialer: { trace: traceMessages({ level: 'messages', sink: (event) => sent.push(event) }) },
    });
    const remote = pair.dialer.remoteRoot<IWorker>();
    const controller = new AbortController();
    const view = withOptions(remote, { signal: controller.signal });
    expect(await view.work(1)).toBe('done');
    const running = view.work(5000);
    await turns();
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(CallAbortError);
    await turns();
    expect(worker.log).toEqual(['work', 'work', 'aborted: AbortError']);
    const cancels = sent.filter((event) => event.direction === 'out' && event.type === 'Cancel');
    expect(cancels).toHaveLength(1);
    view[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('with a version 2 peer calls go without context: the caller still rejects, the callee is not told', async () => {
    const worker = new Worker();
    const sent: TraceEvent[] = [];
    const pair = sessionPair({
      listenerRoot: proxy<IWorker>(worker) as Proxy<unknown>,
      listener: { versions: [1, 2] },
      dialer: { trace: traceMessages({ level: 'messages', sink: (event) => sent.push(event) }) },
    });
    const remote = pair.dialer.remoteRoot<IWorker>();
    await remote.whenResolved();
    expect(pair.dialer.protocolVersion).toBe(2);
    const controller = new AbortController();
    const running = withOptions(remote, { signal: controller.signal }).work(60);
    await turns();
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(CallAbortError);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(withOptions(remote, { timeoutMs: 10 }).work(60)).rejects.toBeInstanceOf(CallTimeoutError);
    expect(await withOptions(remote, { timeoutMs: 10_000 }).context()).toMatchObject({
      remaining: Number.POSITIVE_INFINITY,
    });
    await sleep(100);
    // Both calls ran to their end: the callee had no way to hear of the cancel or the deadline.
    expect(worker.log).toEqual(['work', 'work']);
    expect(sent.some((event) => event.type === 'Cancel')).toBe(false);
    remote[Symbol.dispose]();
  });

  test('a declared remaining time is cut to maxCallTimeoutMs; trace context arrives checked', async () => {
    const worker = new Worker();
    const pair = sessionPair({
      listenerRoot: proxy<IWorker>(worker) as Proxy<unknown>,
      listener: { limits: { maxCallTimeoutMs: 5000 } },
      unchecked: true,
    });
    const remote = pair.dialer.remoteRoot<IWorker>();
    await remote.whenResolved();
    const seen = worker.seen;
    pair.connections[0].send(
      await forged(
        [MessageType.Call, 1000, 0, 0, 'context', [], [10 * 24 * 3600 * 1000, traceparent, 'vendor=value']],
        [MessageType.Call, 1001, 0, 0, 'context', [], [null, '00-bad', 'vendor=value']],
        [MessageType.Call, 1002, 0, 0, 'context', [], [null, traceparent, 'x'.repeat(600)]],
        [MessageType.Call, 1003, 0, 0, 'context', [], [null, `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`]],
      ),
    );
    for (let attempt = 0; attempt < 100 && seen.length < 4; attempt++) await sleep(2);
    const [bounded, badParent, longState, zeroTrace] = seen;
    expect(bounded!.remaining).toBeLessThanOrEqual(5000);
    expect(bounded!.remaining).toBeGreaterThan(4000);
    expect(bounded).toMatchObject({ traceparent, tracestate: 'vendor=value' });
    expect(badParent).toMatchObject({ remaining: Number.POSITIVE_INFINITY, traceparent: undefined });
    expect(longState).toMatchObject({ traceparent, tracestate: undefined });
    expect(zeroTrace!.traceparent).toBeUndefined();
    remote[Symbol.dispose]();
  });

  describe('hostile input', () => {
    async function hostile(options: { versions?: number[] } = {}) {
      const worker = new Worker();
      const pair = sessionPair({
        listenerRoot: proxy<IWorker>(worker) as Proxy<unknown>,
        ...(options.versions !== undefined ? { dialer: { versions: options.versions } } : {}),
        unchecked: true,
      });
      const remote = pair.dialer.remoteRoot<IWorker>();
      await remote.whenResolved();
      return {
        ...pair,
        worker,
        send: async (message: unknown[]) => pair.connections[0].send(await forged(message)),
      };
    }

    test('a Cancel for a question id that is no live answer is a protocol violation in version 4', async () => {
      const { listener, send } = await hostile({ versions: [1, 2, 4] });
      await send([MessageType.Cancel, 99]);
      const reason = await listener.closed;
      expect(reason.code).toBe('protocol');
      expect(reason.message).toContain('cancel for answer 99, which does not exist');
    });

    test('from version 5 a Cancel for a question id that is no live answer is ignored (it may cross a finishing Return)', async () => {
      const { listener, dialer, send } = await hostile();
      await send([MessageType.Cancel, 99]);
      const remote = dialer.remoteRoot<IWorker>();
      expect(await remote.work(1)).toBe('done');
      expect(listener.stats().answers).toBe(0);
      await dialer.terminate('done');
    });

    test('malformed contexts and cancels are protocol violations', async () => {
      for (const message of [
        [MessageType.Call, 1000, 0, 0, 'work', [1], [-1]],
        [MessageType.Call, 1000, 0, 0, 'work', [1], ['soon']],
        [MessageType.Call, 1000, 0, 0, 'work', [1], 'context'],
        [MessageType.Call, 1000, 0, 0, 'work', [1], [], 'more'],
        [MessageType.Cancel, 'one'],
        [MessageType.Cancel, 0, 7],
      ]) {
        const { listener, send } = await hostile();
        await send(message);
        const reason = await listener.closed;
        expect(reason.code, JSON.stringify(message)).toBe('protocol');
        expect(reason.message).toMatch(/malformed (call|cancel)/);
      }
    });

    test('a version 2 peer may send neither a context nor a Cancel', async () => {
      const first = await hostile({ versions: [1, 2] });
      await first.send([MessageType.Call, 1000, 0, 0, 'work', [1], []]);
      expect((await first.listener.closed).message).toContain("a call's context needs protocol version 4");
      const second = await hostile({ versions: [1, 2] });
      await second.send([MessageType.Call, 1000, 0, 0, 'work', [5000]]);
      await second.send([MessageType.Cancel, 1000]);
      expect((await second.listener.closed).message).toContain('a cancel message needs protocol version 4');
      expect(second.worker.log).toEqual(['work', 'aborted: AbortedError']);
    });

    test('a Finish before the Return cancels the call: its context is not kept past its answer', async () => {
      const { listener, connections, worker } = await hostile();
      connections[0].send(await forged([MessageType.Call, 1000, 0, 0, 'work', [5000], []]));
      for (let attempt = 0; attempt < 100 && worker.log.length === 0; attempt++) await sleep(2);
      connections[0].send(await forged([MessageType.Finish, 1000]));
      for (let attempt = 0; attempt < 100 && worker.log.length < 2; attempt++) await sleep(2);
      expect(worker.log).toEqual(['work', 'aborted: AbortError']);
      expect(listener.stats().answers).toBe(0);
    });

    test('a flood of Cancels for one live answer fires its signal once and is not refused', async () => {
      const { listener, connections, worker } = await hostile();
      const cancels = Array.from({ length: 1000 }, () => [MessageType.Cancel, 1000]);
      connections[0].send(await forged([MessageType.Call, 1000, 0, 0, 'work', [5000], []], ...cancels));
      const reason = await listener.closed;
      // The listener took every Cancel; it ended only when the dialer refused the forged call's
      // Return. The call, cancelled in the frame that brought it, was never dispatched.
      expect(reason.remote).toBe(true);
      expect(worker.log).toEqual([]);
    });
  });

  test('a Cancel that crossed the Return is ignored; the answer stays until Finish', () => {
    const { answers, sent } = recordingAnswerTable(4);
    const result = new PromiseHandler();
    const target = { call: () => result } as never;
    const exports = { handler: () => target } as never;
    answers.receiveCall_([MessageType.Call, 4, 0, 0, 'work', [], []], exports, false);
    result.settle({ kind: 'value', value: 'done' });
    expect(sent).toEqual([[MessageType.Return, 4, 0, 'done']]);
    answers.cancel(4, false); // crossed the Return: nothing happens
    expect(answers.size).toBe(1);
    answers.finish(4);
    expect(answers.size).toBe(0);
    expect(() => answers.cancel(4, false)).toThrow('cancel for answer 4, which does not exist');
  });
});
