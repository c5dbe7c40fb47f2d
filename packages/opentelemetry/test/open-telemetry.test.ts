import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AbortedError, type Proxy, proxy } from '@msc/eventual';
import { CallAbortError, callContext, withOptions } from '@msc/eventual/context';
import { Session, type SessionOptions, unauthenticated } from '@msc/session';
import { spawnSip } from '@msc/sip';
import { memoryPair } from '@msc/transport-memory';
import {
  type Context,
  type ContextManager,
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { instrumentSessions, openTelemetryCallTracer } from '../src/index.ts';
import type { ITracedParent, ITracedSip } from './fixtures/contracts.ts';

/** Counts spans started and ended: a span left open shows as a difference. */
class OpenSpans implements SpanProcessor {
  readonly open = new Set<string>();
  ends = 0;
  onStart(span: Span, _parent: Context): void {
    this.open.add(span.spanContext().spanId);
  }
  onEnd(span: ReadableSpan): void {
    this.ends++;
    this.open.delete(span.spanContext().spanId);
  }
  forceFlush = () => Promise.resolve();
  shutdown = () => Promise.resolve();
}

/** A context manager for synchronous scopes (the test needs no async propagation). */
class StackContextManager implements ContextManager {
  #current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.#current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    scope: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.#current;
    this.#current = scope;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#current = previous;
    }
  }
  bind<T>(_scope: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#current = ROOT_CONTEXT;
    return this;
  }
}

let exporter: InMemorySpanExporter;
let openSpans: OpenSpans;
let tracerProvider: BasicTracerProvider;
const sessions: Session[] = [];

function tracing() {
  exporter = new InMemorySpanExporter();
  openSpans = new OpenSpans();
  tracerProvider = new BasicTracerProvider({
    spanProcessors: [openSpans, new SimpleSpanProcessor(exporter)],
  });
  return openTelemetryCallTracer({ tracerProvider });
}

/** A traced session pair over memory serving `root`; the dialer's view of it. */
function served<I extends object>(root: I, options: Partial<SessionOptions> = {}): Proxy<I> {
  const callTracer = openTelemetryCallTracer({ tracerProvider });
  const [dialerConnection, listenerConnection] = memoryPair();
  const common = { authenticator: unauthenticated(), callTracer, ...options };
  const dialer = new Session({ connection: dialerConnection, role: 'dialer', ...common });
  const listener = new Session({
    connection: listenerConnection,
    role: 'listener',
    root: proxy<I>(root) as Proxy<unknown>,
    ...common,
  });
  sessions.push(dialer, listener);
  return dialer.remoteRoot<I>();
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.terminate()));
  // No span outlives its session, whichever way its call ended.
  expect([...openSpans.open]).toEqual([]);
});

interface IService {
  greet(name: string): Promise<string>;
  fail(): Promise<void>;
  wait(): Promise<string>;
}

class Service implements IService {
  started = 0;
  async greet(name: string) {
    return `hello ${name}`;
  }
  async fail(): Promise<void> {
    throw new RangeError('refused');
  }
  wait(): Promise<string> {
    const { signal } = callContext();
    this.started++;
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve('stopped')));
  }
}

const byKind = (kind: SpanKind) => exporter.getFinishedSpans().filter((span) => span.kind === kind);

describe('OpenTelemetry spans of calls across a session', () => {
  test('a call is a CLIENT span and a SERVER span under it, on one trace, with the rpc attributes', async () => {
    tracing();
    const remote = served<IService>(new Service());
    expect(await remote.greet('world')).toBe('hello world');
    const [client] = byKind(SpanKind.CLIENT);
    const [server] = byKind(SpanKind.SERVER);
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    expect(client!.name).toBe('msc greet');
    expect(server!.name).toBe('msc greet');
    expect(client!.attributes).toMatchObject({ 'rpc.system': 'msc', 'rpc.method': 'greet' });
    expect(server!.attributes).toMatchObject({ 'rpc.system': 'msc', 'rpc.method': 'greet' });
    expect(server!.spanContext().traceId).toBe(client!.spanContext().traceId);
    expect(server!.parentSpanContext?.spanId).toBe(client!.spanContext().spanId);
    expect(client!.parentSpanContext).toBeUndefined();
    expect([client!.status.code, server!.status.code]).toEqual([SpanStatusCode.UNSET, SpanStatusCode.UNSET]);
    remote[Symbol.dispose]();
  });

  test('a peer cannot name a span with a 100,000-character method: name and rpc.method are cut to 256', async () => {
    tracing();
    const remote = served<Record<string, () => Promise<unknown>>>(new Service() as never);
    const method = 'x'.repeat(100_000);
    await expect(remote[method]!()).rejects.toThrow(); // dispatch refuses the name
    const [server] = byKind(SpanKind.SERVER);
    const cut = `${'x'.repeat(256)}…`;
    expect(server!.name).toBe(`msc ${cut}`);
    expect(server!.attributes['rpc.method']).toBe(cut);
    const [client] = byKind(SpanKind.CLIENT); // this side's own span is cut the same way
    expect(client!.name).toBe(`msc ${cut}`);
    remote[Symbol.dispose]();
  });

  test('a call made while a span is active is its child', async () => {
    tracing();
    const remote = served<IService>(new Service());
    await remote.greet('established'); // later calls are sent at once, within the active context
    exporter.reset();
    const contexts = new StackContextManager();
    context.setGlobalContextManager(contexts);
    try {
      const outer = tracerProvider.getTracer('test').startSpan('outer');
      await context.with(trace.setSpan(context.active(), outer), () => remote.greet('inside'));
      outer.end();
      const [client] = byKind(SpanKind.CLIENT);
      expect(client!.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    } finally {
      context.disable();
    }
    remote[Symbol.dispose]();
  });

  test('a rejection sets status ERROR on both spans, with the error recorded', async () => {
    tracing();
    const remote = served<IService>(new Service());
    await expect(remote.fail()).rejects.toThrow('refused');
    for (const span of exporter.getFinishedSpans()) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'RangeError: refused' });
      expect(span.attributes['error.type']).toBe('RangeError');
      expect(span.events.map((event) => event.name)).toEqual(['exception']);
    }
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    remote[Symbol.dispose]();
  });

  test('a cancelled call ends both spans once, with status ERROR naming the AbortError', async () => {
    tracing();
    const service = new Service();
    const remote = served<IService>(service);
    const controller = new AbortController();
    const running = withOptions(remote, { signal: controller.signal }).wait();
    while (service.started === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(CallAbortError);
    while (byKind(SpanKind.SERVER).length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    for (const span of exporter.getFinishedSpans()) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.status.message).toMatch(/^AbortError/);
    }
    remote[Symbol.dispose]();
  });

  test('a session that ends mid-call ends both spans with ERROR: none is left open', async () => {
    tracing();
    const service = new Service();
    const remote = served<IService>(service);
    const running = remote.wait();
    while (service.started === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    await sessions[0]!.terminate();
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(openSpans.open.size).toBe(0);
    expect(openSpans.ends).toBe(2);
    for (const span of exporter.getFinishedSpans()) expect(span.status.code).toBe(SpanStatusCode.ERROR);
    remote[Symbol.dispose]();
  });

  test('a forwarding server links the chain: client -> server -> client -> server, one trace', async () => {
    tracing();
    const back = served<IService>(new Service());
    class Front {
      greet(name: string) {
        return back.greet(name); // within the call: the client span is the server span's child
      }
    }
    const front = served<Pick<IService, 'greet'>>(new Front());
    expect(await front.greet('chain')).toBe('hello chain');
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(4);
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    const [outerClient] = spans.filter((span) => span.parentSpanContext === undefined);
    const childOf = (parent: ReadableSpan) =>
      spans.find((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)!;
    const frontServer = childOf(outerClient!);
    const innerClient = childOf(frontServer);
    const backServer = childOf(innerClient);
    expect([outerClient, frontServer, innerClient, backServer].map((span) => span!.kind)).toEqual([
      SpanKind.CLIENT,
      SpanKind.SERVER,
      SpanKind.CLIENT,
      SpanKind.SERVER,
    ]);
    front[Symbol.dispose]();
    back[Symbol.dispose]();
  });

  test('instrumentSessions() traces sessions made without options, until uninstalled', async () => {
    exporter = new InMemorySpanExporter();
    openSpans = new OpenSpans();
    tracerProvider = new BasicTracerProvider({
      spanProcessors: [openSpans, new SimpleSpanProcessor(exporter)],
    });
    const uninstall = instrumentSessions({ tracerProvider });
    try {
      const remote = served<IService>(new Service(), { callTracer: undefined });
      await remote.greet('installed');
      expect(exporter.getFinishedSpans()).toHaveLength(2);
      remote[Symbol.dispose]();
    } finally {
      uninstall();
    }
    const untraced = served<IService>(new Service(), { callTracer: undefined });
    await untraced.greet('not traced');
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    untraced[Symbol.dispose]();
  });

  test("an instrumentSessions() uninstaller removes only its own tracer, not a later one's", async () => {
    exporter = new InMemorySpanExporter();
    tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const first = instrumentSessions({ tracerProvider: new BasicTracerProvider() });
    const second = instrumentSessions({ tracerProvider });
    try {
      first(); // too late: the second one is installed now, and stays
      first(); // and twice is the same
      const remote = served<IService>(new Service(), { callTracer: undefined });
      await remote.greet('still traced');
      expect(exporter.getFinishedSpans()).toHaveLength(2);
      remote[Symbol.dispose]();
    } finally {
      second();
    }
    const untraced = served<IService>(new Service(), { callTracer: undefined });
    await untraced.greet('not traced');
    expect(exporter.getFinishedSpans()).toHaveLength(2);
    untraced[Symbol.dispose]();
  });
});

describe('OpenTelemetry spans across a SIP', () => {
  let directory: string;
  let sipModule: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'msc-opentelemetry-'));
    await build({
      entryPoints: { 'traced-sip': new URL('./fixtures/traced.sip.ts', import.meta.url).pathname },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['@msc/source'],
      outdir: directory,
      outExtension: { '.js': '.mjs' },
      // The SDK's ES modules (its CommonJS build would need require() in an ES module bundle).
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    sipModule = pathToFileURL(join(directory, 'traced-sip.mjs')).href;
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test.each(['worker', 'process'] as const)(
    'a %s SIP: its SERVER span is the parent CLIENT span child, and its own calls continue the trace',
    async (kind) => {
      const callTracer = tracing();
      class Parent implements ITracedParent {
        async echo(text: string) {
          return `parent: ${text}`;
        }
      }
      const parent = new Parent();
      const sip = spawnSip<ITracedSip>(new URL(sipModule), {
        kind,
        root: proxy<ITracedParent>(parent),
        callTracer,
      });
      try {
        expect(await sip.root.echoThroughParent('up')).toBe('parent: up');
        const seenInSip = await sip.root.lastTraceparent();
        const sipSpans = (await sip.root.spans()).filter(
          (span) => span.name === 'msc echoThroughParent' || span.name === 'msc echo',
        );
        const local = exporter.getFinishedSpans();
        const [outerClient] = local.filter((span) => span.name === 'msc echoThroughParent');
        const [parentServer] = local.filter((span) => span.name === 'msc echo');
        const sipServer = sipSpans.find((span) => span.kind === SpanKind.SERVER)!;
        const sipClient = sipSpans.find((span) => span.kind === SpanKind.CLIENT)!;
        const traceId = outerClient!.spanContext().traceId;
        // The context arrived in the SIP: its callContext() saw its server span, on the same trace.
        expect(seenInSip).toBe(`00-${traceId}-${sipServer.spanId}-01`);
        expect([sipServer.traceId, sipClient.traceId, parentServer!.spanContext().traceId]).toEqual([
          traceId,
          traceId,
          traceId,
        ]);
        expect(sipServer.parentSpanId).toBe(outerClient!.spanContext().spanId);
        expect(sipClient.parentSpanId).toBe(sipServer.spanId);
        expect(parentServer!.parentSpanContext?.spanId).toBe(sipClient.spanId);
      } finally {
        await sip.terminate();
      }
    },
  );
});
