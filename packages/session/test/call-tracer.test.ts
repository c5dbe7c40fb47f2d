import { AbortedError, type Proxy, proxy } from '@msc/eventual';
import { CallAbortError, callContext, withOptions } from '@msc/eventual/context';
import { memoryPair } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { installCallTracing } from '../src/call-tracer.ts';
import {
  type CallOutcome,
  type CallSpan,
  type CallTracer,
  installCallTracer,
  Session,
  type TracedCall,
  type TraceEvent,
  traceMessages,
  unauthenticated,
} from '../src/index.ts';
import { decodeTrace } from '../src/wire/call-context-field.ts';
import { sessionPair, sleep, turns } from './harness.ts';

/**
 * The call tracer seam (call-tracer.ts): which spans a session asks for, what it sends and checks,
 * and that every span ends exactly once however its call ends. The OpenTelemetry tracer over
 * sessions and SIPs is tested in `@msc/opentelemetry`.
 */

interface RecordedSpan {
  readonly side: string;
  readonly kind: 'client' | 'server';
  readonly method: string;
  /** The trace context the session gave the tracer (the parent, or what arrived). */
  readonly parent: string | undefined;
  readonly traceparent: string;
  readonly peer: unknown;
  readonly ends: CallOutcome[];
}

let nextId = 1;
const hex = (digits: number) => (nextId++).toString(16).padStart(digits, '0');

/** A tracer that records its spans and makes W3C ids from a counter. */
class RecordingTracer implements CallTracer {
  readonly spans: RecordedSpan[] = [];
  constructor(readonly side: string) {}
  send(call: TracedCall): CallSpan {
    return this.#span('client', call);
  }
  dispatch(call: TracedCall): CallSpan {
    return this.#span('server', call);
  }
  #span(kind: 'client' | 'server', call: TracedCall): CallSpan {
    const traceId = call.trace?.traceparent.slice(3, 35) ?? hex(32);
    const span: RecordedSpan = {
      side: this.side,
      kind,
      method: call.method,
      parent: call.trace?.traceparent,
      traceparent: `00-${traceId}-${hex(16)}-01`,
      peer: call.session.peer,
      ends: [],
    };
    this.spans.push(span);
    return { trace: { traceparent: span.traceparent }, end: (outcome) => span.ends.push(outcome) };
  }
}

interface IService {
  echo(text: string): Promise<string>;
  fail(): Promise<void>;
  wait(ms: number): Promise<string>;
  trace(): Promise<string | undefined>;
}

class Service implements IService {
  readonly log: string[] = [];
  async echo(text: string) {
    return text;
  }
  async fail(): Promise<void> {
    throw new Error('refused');
  }
  wait(ms: number): Promise<string> {
    const { signal } = callContext();
    this.log.push('wait');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('waited'), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        this.log.push(`aborted: ${(signal.reason as Error).name}`);
        resolve('stopped');
      });
    });
  }
  async trace() {
    return callContext().trace?.traceparent;
  }
}

/** A service whose every method forwards to `next` in its synchronous part, as a proxy server does. */
class Forwarder implements Pick<IService, 'echo'> {
  constructor(readonly next: Proxy<IService>) {}
  echo(text: string) {
    return this.next.echo(text);
  }
}

function traced(tracers: { dialer?: CallTracer | null; listener?: CallTracer | null }, root: object) {
  const pair = sessionPair({
    listenerRoot: proxy(root) as Proxy<unknown>,
    dialer: { callTracer: tracers.dialer },
    listener: { callTracer: tracers.listener },
  });
  return { ...pair, remote: pair.dialer.remoteRoot<IService>() };
}

const failedWith = (outcome: CallOutcome | undefined) => (outcome?.failed ? outcome.error : undefined);

afterEach(() => {
  installCallTracer(undefined); // and enables call tracing again, as the package's own entry does
});

describe('the call tracer seam', () => {
  test('a traced call is a client span and a server span parented on it; the callee sees the server span', async () => {
    const client = new RecordingTracer('dialer');
    const server = new RecordingTracer('listener');
    const { remote } = traced({ dialer: client, listener: server }, new Service());
    const seen = await remote.trace();
    expect(client.spans).toHaveLength(1);
    expect(server.spans).toHaveLength(1);
    const [clientSpan] = client.spans;
    const [serverSpan] = server.spans;
    expect(clientSpan).toMatchObject({ kind: 'client', method: 'trace', parent: undefined });
    expect(serverSpan).toMatchObject({ kind: 'server', method: 'trace', parent: clientSpan!.traceparent });
    expect(seen).toBe(serverSpan!.traceparent);
    expect(clientSpan!.ends).toEqual([{ failed: false }]);
    expect(serverSpan!.ends).toEqual([{ failed: false }]);
    remote[Symbol.dispose]();
  });

  test('calls made within a traced call are its children, across sessions, on one trace', async () => {
    const [a, b, c] = [new RecordingTracer('a'), new RecordingTracer('b'), new RecordingTracer('c')];
    const back = traced({ dialer: b, listener: c }, new Service());
    const front = traced({ dialer: a, listener: b }, new Forwarder(back.remote));
    expect(await front.remote.echo('hop')).toBe('hop');
    const spans = [...a.spans, ...b.spans, ...c.spans];
    expect(spans.map((span) => `${span.side} ${span.kind}`)).toEqual([
      'a client',
      'b server',
      'b client',
      'c server',
    ]);
    const traceIds = new Set(spans.map((span) => span.traceparent.slice(3, 35)));
    expect(traceIds.size).toBe(1);
    for (let index = 1; index < spans.length; index++) {
      expect(spans[index]!.parent).toBe(spans[index - 1]!.traceparent);
    }
    for (const span of spans) expect(span.ends).toEqual([{ failed: false }]);
    front.remote[Symbol.dispose]();
    back.remote[Symbol.dispose]();
  });

  test('a trace set with withOptions() is the client span parent; a rejection fails both spans', async () => {
    const client = new RecordingTracer('dialer');
    const server = new RecordingTracer('listener');
    const { remote } = traced({ dialer: client, listener: server }, new Service());
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const view = withOptions(remote, { trace: { traceparent: parent } });
    await expect(view.fail()).rejects.toThrow('refused');
    expect(client.spans[0]!.parent).toBe(parent);
    expect(server.spans[0]!.traceparent.slice(3, 35)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect((failedWith(client.spans[0]!.ends[0]) as Error).message).toBe('refused');
    expect((failedWith(server.spans[0]!.ends[0]) as Error).message).toBe('refused');
    view[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a cancelled call ends each span once, failed with the cancel', async () => {
    const client = new RecordingTracer('dialer');
    const server = new RecordingTracer('listener');
    const service = new Service();
    const { remote } = traced({ dialer: client, listener: server }, service);
    const controller = new AbortController();
    const running = withOptions(remote, { signal: controller.signal }).wait(5_000);
    for (let attempt = 0; attempt < 100 && service.log.length === 0; attempt++) await sleep(2);
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(CallAbortError);
    for (let attempt = 0; attempt < 100 && service.log.length < 2; attempt++) await sleep(2);
    await turns();
    expect(service.log).toEqual(['wait', 'aborted: AbortError']);
    expect(client.spans[0]!.ends).toHaveLength(1);
    expect(failedWith(client.spans[0]!.ends[0])).toBeInstanceOf(CallAbortError);
    expect(server.spans[0]!.ends).toHaveLength(1);
    expect(failedWith(server.spans[0]!.ends[0])).toBeInstanceOf(CallAbortError);
    remote[Symbol.dispose]();
  });

  test('a session that ends mid-call leaves no span open', async () => {
    const client = new RecordingTracer('dialer');
    const server = new RecordingTracer('listener');
    const service = new Service();
    const { remote, dialer } = traced({ dialer: client, listener: server }, service);
    const running = remote.wait(5_000);
    for (let attempt = 0; attempt < 100 && service.log.length === 0; attempt++) await sleep(2);
    await dialer.terminate();
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    for (let attempt = 0; attempt < 100 && server.spans[0]?.ends.length === 0; attempt++) await sleep(2);
    expect(client.spans[0]!.ends).toHaveLength(1);
    expect(failedWith(client.spans[0]!.ends[0])).toBeInstanceOf(AbortedError);
    expect(server.spans[0]!.ends).toHaveLength(1);
    expect(failedWith(server.spans[0]!.ends[0])).toBeInstanceOf(AbortedError);
    remote[Symbol.dispose]();
  });

  test('off by default: no span, and a call without options sends no context field', async () => {
    const callBytes = async (callTracer: CallTracer | undefined) => {
      const sent: TraceEvent[] = [];
      const pair = sessionPair({
        listenerRoot: proxy<IService>(new Service()) as Proxy<unknown>,
        dialer: {
          callTracer,
          trace: traceMessages({ level: 'messages', sink: (event) => sent.push(event) }),
        },
      });
      const remote = pair.dialer.remoteRoot<IService>();
      // The callee's context shows the trace context that arrived (none when the caller is off).
      expect(await remote.trace()).toEqual(
        callTracer === undefined ? undefined : expect.stringMatching(/^00-/),
      );
      remote[Symbol.dispose]();
      return sent.find((event) => event.direction === 'out' && event.type === 'Call')!.size;
    };
    const off = await callBytes(undefined);
    // The traced call carries `[null, traceparent]`: its 55 characters and a little framing more.
    const on = await callBytes(new RecordingTracer('dialer'));
    expect(on - off).toBeGreaterThanOrEqual(57);
    expect(on - off).toBeLessThan(64);
  });

  test('installCallTracer() traces sessions started after it; callTracer: null opts one out', async () => {
    const installed = new RecordingTracer('installed');
    installCallTracer(installed);
    const first = traced({}, new Service());
    await first.remote.echo('one');
    expect(installed.spans.map((span) => span.kind)).toEqual(['client', 'server']);
    const second = traced({ dialer: null, listener: null }, new Service());
    await second.remote.echo('two');
    expect(installed.spans).toHaveLength(2);
    first.remote[Symbol.dispose]();
    second.remote[Symbol.dispose]();
  });

  test('an old peer (version 2) is called untraced, and the call works', async () => {
    const client = new RecordingTracer('dialer');
    const pair = sessionPair({
      listenerRoot: proxy<IService>(new Service()) as Proxy<unknown>,
      dialer: { callTracer: client },
      listener: { versions: [1, 2] },
    });
    const remote = pair.dialer.remoteRoot<IService>();
    expect(await remote.echo('old')).toBe('old');
    expect(pair.dialer.protocolVersion).toBe(2);
    expect(client.spans).toEqual([]);
    remote[Symbol.dispose]();
  });

  test('a tracer that throws or returns a malformed trace context is ignored: the call goes on', async () => {
    const server = new RecordingTracer('listener');
    const throwing: CallTracer = {
      send() {
        throw new Error('tracer bug');
      },
      dispatch: () => undefined,
    };
    const first = traced({ dialer: throwing, listener: server }, new Service());
    expect(await first.remote.echo('still')).toBe('still');
    expect(server.spans[0]!.parent).toBeUndefined();
    const malformed: CallTracer = {
      send: () => ({ trace: { traceparent: '00-not-a-trace', tracestate: 'a=b' }, end() {} }),
      dispatch: () => undefined,
    };
    const second = traced({ dialer: malformed, listener: server }, new Service());
    expect(await second.remote.echo('still')).toBe('still');
    expect(server.spans[1]!.parent).toBeUndefined();
    first.remote[Symbol.dispose]();
    second.remote[Symbol.dispose]();
  });

  test('the peer of a traced session sees the peer its authenticator learned', async () => {
    const server = new RecordingTracer('listener');
    const { remote } = traced({ listener: server }, new Service());
    await remote.echo('who');
    expect(server.spans[0]).toMatchObject({ kind: 'server', parent: undefined });
    expect(server.spans[0]!.peer).toBeUndefined(); // unauthenticated(): nothing learned
    remote[Symbol.dispose]();
  });
});

describe('a session started without enableCallTracing() (the browser entry)', () => {
  test('a callTracer throws a TypeError naming enableCallTracing(), before anything is sent', () => {
    installCallTracing(undefined);
    const [dialerConnection, listenerConnection] = memoryPair();
    const sent: Uint8Array[] = [];
    listenerConnection.start({ frame: (frame) => sent.push(frame), closed: () => {} });
    const tracer = new RecordingTracer('dialer');
    const start = () =>
      new Session({
        connection: dialerConnection,
        role: 'dialer',
        authenticator: unauthenticated(),
        callTracer: tracer,
      });
    expect(start).toThrow(
      /a callTracer needs call tracing: call tracing not enabled in this program: call enableCallTracing\(\) from '@msc\/session'/,
    );
    expect(sent).toEqual([]);
    dialerConnection.abort(new Error('test over'));
  });
});

describe('trace context from a peer, checked before use', () => {
  const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  test.each([
    ['a version other than 00', `01${parent.slice(2)}`],
    ['upper-case hex', parent.toUpperCase()],
    ['a zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['a zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['trailing characters', `${parent}-extra`],
    ['a short trace id', '00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01'],
    ['a number', 42],
    ['a megabyte', 'x'.repeat(1 << 20)],
  ])('a traceparent with %s is dropped', (_, traceparent) => {
    expect(decodeTrace([null, traceparent])).toBeUndefined();
  });

  test('a tracestate is kept only within 512 characters and 32 members', () => {
    expect(decodeTrace([null, parent, 'vendor=value'])).toEqual({
      traceparent: parent,
      tracestate: 'vendor=value',
    });
    const members = (count: number) => Array.from({ length: count }, (_, index) => `k${index}=v`).join(',');
    expect(decodeTrace([null, parent, members(32)])?.tracestate).toBe(members(32));
    expect(decodeTrace([null, parent, members(33)])).toEqual({ traceparent: parent });
    expect(decodeTrace([null, parent, `a=${'b'.repeat(511)}`])).toEqual({ traceparent: parent });
    expect(decodeTrace([null, parent, 'a=b\u0000'])).toEqual({ traceparent: parent });
    expect(decodeTrace([null, parent, { toString: () => 'a=b' }])).toEqual({ traceparent: parent });
  });
});
