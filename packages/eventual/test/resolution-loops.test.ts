import { describe, expect, test } from 'vitest';
import { type Proxy, ResolutionLoopError, Resolver } from '../src/index.ts';

/**
 * A promise resolved with a capability that resolves to the promise itself would make its calls
 * travel the loop forever (a stack overflow in the caller's code). The promise settles with
 * `ResolutionLoopError` instead; over a session a peer can close such a loop through its own
 * promises (packages/session/test/hostile-resolution.test.ts).
 */
describe('resolution loops', () => {
  test('a promise resolved with itself rejects with ResolutionLoopError, and calls on it fail the same', async () => {
    const resolver = new Resolver<Proxy<{ get(): Promise<number> }>>();
    const promise = resolver.proxy();
    expect(() => resolver.resolve(resolver.proxy())).not.toThrow();
    await expect(promise.whenResolved()).rejects.toBeInstanceOf(ResolutionLoopError);
    await expect(promise.get()).rejects.toThrow('resolved to itself');
    promise[Symbol.dispose]();
  });

  test('a loop through two promises is refused where it closes', async () => {
    const first = new Resolver<Proxy<{ get(): Promise<number> }>>();
    const second = new Resolver<Proxy<{ get(): Promise<number> }>>();
    const early = first.proxy().get(); // queued on the first promise
    first.resolve(second.proxy()); // first → second: fine
    expect(() => second.resolve(first.proxy())).not.toThrow(); // second → first → second: refused
    await expect(early).rejects.toBeInstanceOf(ResolutionLoopError);
    const held = first.proxy();
    await expect(held.whenResolved()).rejects.toBeInstanceOf(ResolutionLoopError);
    held[Symbol.dispose]();
  });
});
