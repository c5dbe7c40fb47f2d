import { proxy } from '@msc/eventual';
import { memory } from '@msc/transport-memory';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import {
  defaultResumeOptions,
  defaultSessionLimits,
  ParkedSessions,
  type ParkedSessionsOptions,
  type ResumeOptions,
  Scope,
  type ScopeOptions,
  type ScopeResumeOptions,
  type SessionOptions,
  type TraceOptions,
  traceMessages,
  unauthenticated,
} from '../src/index.ts';
import { resolveLimits } from '../src/limits.ts';
import { resolveResumeOptions } from '../src/resume/resume-options.ts';

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<ScopeOptions>>().toExtend<Partial<ScopeOptions>>();
    expectTypeOf<ExplicitlyUndefined<SessionOptions>>().toExtend<Partial<SessionOptions>>();
    expectTypeOf<ExplicitlyUndefined<TraceOptions>>().toExtend<Partial<TraceOptions>>();
    expectTypeOf<ExplicitlyUndefined<ResumeOptions>>().toExtend<Partial<ResumeOptions>>();
    expectTypeOf<ExplicitlyUndefined<ScopeResumeOptions>>().toExtend<Partial<ScopeResumeOptions>>();
    expectTypeOf<ExplicitlyUndefined<ParkedSessionsOptions>>().toExtend<Partial<ParkedSessionsOptions>>();
    type Limits = NonNullable<SessionOptions['limits']>;
    expectTypeOf<ExplicitlyUndefined<Limits>>().toExtend<Partial<Limits>>();
    expectTypeOf<NonNullable<ScopeOptions['limits']>>().toEqualTypeOf<Limits>();
  });

  test('undefined limits are absent: each keeps its default', () => {
    // Before: the spread `{ ...defaults, ...limits }` let undefined replace the default, and the
    // check threw "limit maxAnswers must be a positive integer".
    expect(resolveLimits({ maxAnswers: undefined, maxImports: 5 })).toEqual({
      ...defaultSessionLimits,
      maxImports: 5,
    });
    expect(() => resolveLimits({ maxImports: 0 })).toThrow('limit maxImports must be a positive integer');
  });

  test('undefined resume options and parked-session bounds keep their defaults', () => {
    const unset: ExplicitlyUndefined<ResumeOptions> = {
      graceMs: undefined,
      maxHeldBytes: undefined,
      ackDelayMs: undefined,
      maxAttempts: undefined,
      initialBackoffMs: undefined,
      dial: undefined,
      parkedSessions: undefined,
      samePeer: undefined,
      onEvent: undefined,
    };
    expect(resolveResumeOptions(unset)).toMatchObject(defaultResumeOptions);
    const bounds: ExplicitlyUndefined<ParkedSessionsOptions> = {
      maxParkedSessions: undefined,
      maxParkedBytes: undefined,
    };
    const parked = new ParkedSessions(bounds);
    expect([parked.maxParkedSessions, parked.maxParkedBytes]).toEqual([1024, 64 * 1024 * 1024]);
  });

  test('a scope whose every optional option is undefined serves and connects with the defaults', async () => {
    const limits: ExplicitlyUndefined<NonNullable<ScopeOptions['limits']>> = {
      maxFrameBytes: undefined,
      maxAnswers: undefined,
      maxImports: undefined,
      maxExports: undefined,
      maxDepth: undefined,
      handshakeTimeoutMs: undefined,
      maxBufferedBytes: undefined,
      maxHandshakeFrameBytes: undefined,
      maxHeldBytes: undefined,
      maxStreamCapacity: undefined,
      maxByteStreamCapacity: undefined,
      maxStreams: undefined,
      maxCallTimeoutMs: undefined,
    };
    const unset: ExplicitlyUndefined<ScopeOptions> = {
      root: undefined,
      signal: undefined,
      limits: undefined,
      registry: undefined,
      errorStacks: undefined,
      trace: undefined,
      callTracer: undefined,
      onSession: undefined,
      maxPendingSessions: undefined,
      logger: undefined,
      resume: undefined,
    };
    const label: ExplicitlyUndefined<TraceOptions> = { label: undefined };
    const trace = traceMessages({ level: 'messages', sink: () => {}, ...label });
    interface IEcho {
      echo(text: string): Promise<string>;
    }
    class Echo implements IEcho {
      async echo(text: string) {
        return text;
      }
    }
    const root = proxy<IEcho>(new Echo());
    const server = new Scope({
      ...unset,
      transport: memory(),
      authenticator: unauthenticated(),
      root,
      limits,
      trace,
    });
    root[Symbol.dispose]();
    const client = new Scope({ ...unset, transport: memory(), authenticator: unauthenticated() });
    try {
      const listener = await server.listen('memory:');
      using echo = client.connect<IEcho>(listener.address);
      expect(await echo.echo('defaults')).toBe('defaults');
    } finally {
      await client.close();
      await server.close();
    }
  });
});
