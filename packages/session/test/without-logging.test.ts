import { proxy } from '@msc/eventual';
import type { LogEvent, Logger } from '@msc/transport';
import { memory } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { enableLogging, Scope, unauthenticated } from '../src/index.ts';
import { installLogging } from '../src/logging-part.ts';
import { Greeter, type IGreeter } from './fixtures/greeter.ts';
import { sleep } from './harness.ts';

// The browser entry leaves logging out (logging-part.ts): a scope without a logger must not notice,
// and one given a logger must be told to call `enableLogging()` when it is made.

afterEach(() => {
  enableLogging(); // the package's own entry enables it; every other test file expects it
});

/** A logger that keeps the events it is told. */
function recordingLogger(): Logger & { readonly events: LogEvent[] } {
  const events: LogEvent[] = [];
  return { events, info: (event) => void events.push(event), warn: (event) => void events.push(event) };
}

describe('a program without enableLogging()', () => {
  test('a Scope with a logger throws a TypeError naming enableLogging()', () => {
    installLogging(undefined);
    const make = () => new Scope({ transport: memory(), authenticator: unauthenticated(), logger: console });
    expect(make).toThrow(TypeError);
    expect(make).toThrow(
      /a scope cannot log: logging not enabled in this program: call enableLogging\(\) from '@msc\/session'/,
    );
  });

  test('a scope without a logger dials and calls as always', async () => {
    installLogging(undefined);
    const transport = memory();
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      root: proxy<IGreeter>(new Greeter()),
    });
    await server.listen('memory:without-logging');
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    const greeter = client.connect<IGreeter>('memory:without-logging');
    expect(await greeter.greet('page')).toBe('hello page');
    greeter[Symbol.dispose]();
  });
});

describe('a program with enableLogging()', () => {
  test("a scope's logger hears of a session that ended badly", async () => {
    installLogging(undefined);
    enableLogging();
    const transport = memory();
    const log = recordingLogger();
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      limits: { handshakeTimeoutMs: 50 },
      logger: log,
    });
    await server.listen('memory:with-logging');
    // A peer that connects and never says hello: the handshake times out.
    const silent = await transport.dial('memory:with-logging');
    silent.start({ frame() {}, closed() {} });
    for (let attempt = 0; attempt < 100 && log.events.length === 0; attempt++) await sleep(5);
    expect(log.events[0]).toMatchObject({ event: 'handshake-failed', code: 'timeout', role: 'listener' });
  });
});
