import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { localNames } from '../src/facade/local-names.ts';
import {
  type CapabilityHandler,
  createProxy,
  createResult,
  handlerOf,
  type ResultHandler,
  settledResult,
} from '../src/handler.ts';
import { MethodNotFoundError, type Proxy, proxy, sequence } from '../src/index.ts';

/** A handler that records every call it is sent and answers each with `undefined`. */
class RecordingHandler implements CapabilityHandler {
  readonly calls: string[] = [];
  call(method: string): ResultHandler {
    this.calls.push(method);
    return settledResult({ kind: 'value', value: undefined });
  }
  whenResolved(): Promise<void> {
    return Promise.resolve();
  }
  retain(): void {}
  release(): void {}
  shorten(): CapabilityHandler {
    return this;
  }
}

/** Everything JavaScript, Node and common libraries do to a value they are formatting or converting. */
function coerceEveryWay(value: object): void {
  JSON.stringify(value);
  JSON.stringify({ nested: value });
  JSON.stringify(new Error('failed', { cause: value }), ['message', 'cause']);
  inspect(value);
  inspect(new Error('failed', { cause: value }));
  String(value);
  `${value as unknown as string}`;
  Object.prototype.toString.call(value);
  (value as { toLocaleString(): string }).toLocaleString();
  (value as { valueOf(): unknown }).valueOf();
  // biome-ignore lint/suspicious/noPrototypeBuiltins: libraries still call it on the value
  (value as { hasOwnProperty(key: string): boolean }).hasOwnProperty('x');
  void (value as { constructor?: unknown }).constructor;
  // biome-ignore lint/suspicious/noProto: libraries still read it
  void (value as { __proto__?: unknown }).__proto__;
  void (value as { toJSON?: unknown }).toJSON;
  void (value as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive];
  void (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  void (value as { [key: symbol]: unknown })[inspect.custom];
  void Array.isArray(value);
  void ('toString' in value);
}

describe('names JavaScript probes on its own are answered locally', () => {
  test('a capability proxy sends no call while it is stringified, inspected, converted or awaited', async () => {
    const handler = new RecordingHandler();
    const capability = createProxy(handler);
    coerceEveryWay(capability);
    expect(await Promise.resolve(capability)).toBe(capability); // `then` is not a method
    expect(handler.calls).toEqual([]);
    // The same proxy still calls ordinary names.
    await (capability as { ping(): Promise<void> }).ping();
    expect(handler.calls).toEqual(['ping']);
  });

  test('a call result sends no call either, whatever it settles to', async () => {
    const handler = new RecordingHandler();
    const result = createResult(settledResult({ kind: 'capability', handler }));
    coerceEveryWay(result);
    expect(handler.calls).toEqual([]);
  });

  test('the local answers are what a plain object answers', () => {
    const capability = createProxy(new RecordingHandler());
    expect(String(capability)).toBe('[object Proxy]');
    expect(`${capability as unknown as string}`).toBe('[object Proxy]');
    expect(JSON.stringify({ capability })).toBe('{"capability":{}}');
    expect((capability as { valueOf(): unknown }).valueOf()).toBe(capability);
    // biome-ignore lint/suspicious/noPrototypeBuiltins: the scenario calls it on the proxy
    expect((capability as { hasOwnProperty(key: string): boolean }).hasOwnProperty('ping')).toBe(false);
    expect((capability as { constructor?: unknown }).constructor).toBeUndefined();
    expect((capability as { toJSON?: unknown }).toJSON).toBeUndefined();
    expect((capability as { then?: unknown }).then).toBeUndefined();
    expect('then' in capability).toBe(false);
    expect('toJSON' in capability).toBe(false);
    expect('ping' in capability).toBe(true);
    expect((capability as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive]).toBeUndefined();
    expect((capability as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator]).toBeUndefined();
    expect(inspect(capability)).not.toContain('ping');
    expect(String(createResult(settledResult({ kind: 'value', value: 1 })))).toBe('[object Result]');
  });

  test('a call result that is a sequence still iterates (its asyncIterator is local, not a call)', async () => {
    class Source {
      numbers() {
        const [items, writer] = sequence<number>();
        writer.write(1);
        writer.write(2);
        void writer.close();
        return items;
      }
    }
    const source = proxy(new Source()) as unknown as Proxy<{ numbers(): AsyncIterable<number> }>;
    const seen: number[] = [];
    for await (const item of source.numbers() as unknown as AsyncIterable<number>) seen.push(item);
    expect(seen).toEqual([1, 2]);
  });

  test('a class that defines toString, toJSON, valueOf or then is never called through them', async () => {
    const called: string[] = [];
    class Chatty {
      toString(): string {
        called.push('toString');
        return 'chatty';
      }
      toJSON(): unknown {
        called.push('toJSON');
        return 'chatty';
      }
      valueOf(): number {
        called.push('valueOf');
        return 1;
      }
      // biome-ignore lint/suspicious/noThenProperty: the scenario is a class that defines then
      then(): void {
        called.push('then');
      }
      async ping(): Promise<string> {
        return 'pong';
      }
    }
    const chatty = proxy(new Chatty()) as unknown as Proxy<{ ping(): Promise<string> }>;
    coerceEveryWay(chatty);
    expect(await chatty.ping()).toBe('pong');
    // Sent by name anyway (as a hostile peer would), each is refused at dispatch.
    for (const name of localNames) {
      const error = await (createResult(handlerOf(chatty)!.call(name, [])) as Promise<unknown>).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(error, name).toBeInstanceOf(MethodNotFoundError);
    }
    expect(called).toEqual([]);
  });
});
