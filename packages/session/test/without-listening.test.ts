import { proxy } from '@msc/eventual';
import { memory } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { enableListening, Scope, unauthenticated } from '../src/index.ts';
import { installListening } from '../src/listening-part.ts';
import { Greeter, type IGreeter } from './fixtures/greeter.ts';

// The browser entry leaves listening out (listening-part.ts): a page dials. A scope that listens
// without `enableListening()` must be told so before the transport listens, and one that only dials
// must not notice.

afterEach(() => {
  enableListening(); // the package's own entry enables it; every other test file expects it
});

describe('a scope without enableListening()', () => {
  test('listen() rejects with a TypeError naming enableListening(), and nothing listens', async () => {
    installListening(undefined);
    const transport = memory();
    await using scope = new Scope({ transport, authenticator: unauthenticated() });
    await expect(scope.listen('memory:without-listening')).rejects.toThrow(
      /listening not enabled in this program: call enableListening\(\) from '@msc\/session'/,
    );
    await using dialer = new Scope({ transport, authenticator: unauthenticated() });
    await expect(dialer.session('memory:without-listening')).rejects.toThrow(/memory:without-listening/);
  });

  test('a scope that only dials calls as always', async () => {
    const transport = memory();
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      root: proxy<IGreeter>(new Greeter()),
    });
    await server.listen('memory:dial-only');
    installListening(undefined);
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    const greeter = client.connect<IGreeter>('memory:dial-only');
    expect(await greeter.greet('page')).toBe('hello page');
    greeter[Symbol.dispose]();
  });
});
