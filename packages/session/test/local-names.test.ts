import { inspect } from 'node:util';
import { MethodNotFoundError, type Proxy } from '@msc/eventual';
import { createResult, handlerOf } from '@msc/eventual/handler';
import { describe, expect, test } from 'vitest';
import { memoryTraceSink, traceMessages } from '../src/index.ts';
import { served } from './harness.ts';

interface IChatty {
  ping(): Promise<string>;
}

/** A class whose coercion methods record that they ran: none of them may run for a remote caller. */
class Chatty implements IChatty {
  readonly called: string[] = [];
  async ping(): Promise<string> {
    return 'pong';
  }
  toString(): string {
    this.called.push('toString');
    return 'chatty';
  }
  toJSON(): unknown {
    this.called.push('toJSON');
    return 'chatty';
  }
  valueOf(): number {
    this.called.push('valueOf');
    return 1;
  }
}

describe('names JavaScript probes on its own, over a session', () => {
  test('formatting, converting and awaiting a remote proxy or a call result sends nothing', async () => {
    const sink = memoryTraceSink();
    const chatty = new Chatty();
    const { remote } = served<IChatty>(chatty, {
      dialer: { trace: traceMessages({ level: 'messages', sink }) },
    });
    await remote.whenResolved();
    const result = remote.ping();
    await result;
    sink.events.length = 0;
    for (const value of [remote, result] as object[]) {
      JSON.stringify({ value });
      JSON.stringify(new Error('failed', { cause: value }), ['message', 'cause']);
      inspect(value);
      inspect(new Error('failed', { cause: value }));
      String(value);
      (value as { valueOf(): unknown }).valueOf();
      void (value as { constructor?: unknown }).constructor;
      void (value as { toJSON?: unknown }).toJSON;
      void (value as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive];
      void (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
    }
    expect(await Promise.resolve(remote)).toBe(remote);
    expect(String(remote)).toBe('[object Proxy]');
    expect(sink.events.filter((event) => event.direction === 'out')).toEqual([]);
    expect(chatty.called).toEqual([]);
    remote[Symbol.dispose]();
  });

  test('a peer that sends toString, toJSON, valueOf or then by name gets MethodNotFoundError', async () => {
    const chatty = new Chatty();
    const { remote } = served<IChatty>(chatty);
    for (const name of [
      'toString',
      'toJSON',
      'valueOf',
      'then',
      'constructor',
      '__proto__',
      'hasOwnProperty',
    ]) {
      // What a hostile peer's Call message carries: the name, straight to the remote handler.
      const failure = await (createResult(handlerOf(remote)!.call(name, [])) as Promise<unknown>).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure, name).toBeInstanceOf(MethodNotFoundError);
    }
    expect(chatty.called).toEqual([]);
    expect(await remote.ping()).toBe('pong');
    remote[Symbol.dispose]();
  });

  test('a method name over the length limit fails that call only, with a short message', async () => {
    const { remote } = served<IChatty>(new Chatty());
    const loose = remote as unknown as Proxy<Record<string, () => Promise<unknown>>>;
    const failure = (await loose['x'.repeat(1 << 20)]!().then(
      () => undefined,
      (error: unknown) => error,
    )) as MethodNotFoundError;
    expect(failure).toBeInstanceOf(MethodNotFoundError);
    expect(failure.message).toContain('over the limit of 256');
    expect(failure.message.length).toBeLessThan(300);
    expect(await remote.ping()).toBe('pong');
    remote[Symbol.dispose]();
  });
});
