import { type Bytes, bytes, proxy, type Sequence, sequence } from '@msc/eventual';
import { memory } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import {
  jsonLinesTraceSink,
  memoryTraceSink,
  Scope,
  type TraceEvent,
  traceMessages,
  unauthenticated,
} from '../src/index.ts';
import { served } from './harness.ts';

// Values the application sends, which level `messages` must never record.
const secretText = 'secret-chat-text-4f1c';
const secretNumber = 987_654_321.125;
const secretReply = 'secret-token-9a7e';

interface ISecrets {
  whisper(text: string, number: number): Promise<string>;
  count(): Promise<number>;
  items(): Sequence<string>;
  refuse(): Promise<never>;
  download(): Bytes;
}

class Secrets implements ISecrets {
  async whisper(text: string, number: number) {
    return `${secretReply}:${text.length}:${number > 0}`;
  }
  async count() {
    return secretNumber;
  }
  items() {
    const [items, writer] = sequence<string>();
    writer.write(secretText);
    writer.write(secretReply);
    void writer.close();
    return items;
  }
  async refuse(): Promise<never> {
    throw new RangeError(`refused ${secretReply}`);
  }
  download() {
    const [stream, writer] = bytes();
    for (const size of [1000, 2000, 3000]) writer.write(new Uint8Array(size));
    void writer.close();
    return stream;
  }
}

/** Every call of the scenario, with secrets as arguments, results, stream items and error text. */
async function converse(remote: ReturnType<typeof served<ISecrets>>['remote']): Promise<void> {
  expect(await remote.whisper(secretText, secretNumber)).toBe(`${secretReply}:${secretText.length}:true`);
  expect(await remote.count()).toBe(secretNumber);
  const received: string[] = [];
  for await (const item of await remote.items()) received.push(item);
  expect(received).toEqual([secretText, secretReply]);
  await expect(remote.refuse()).rejects.toThrow(secretReply);
}

function lines(): { readonly text: string[]; write(line: string): void } {
  const text: string[] = [];
  return { text, write: (line) => void text.push(line) };
}

describe('tracing', () => {
  test('level messages records ids, types, method names and sizes, and no value sent either way', async () => {
    const dialerLines = lines();
    const listenerLines = lines();
    const { remote, dialer, listener } = served<ISecrets>(new Secrets(), {
      dialer: {
        trace: traceMessages({
          level: 'messages',
          sink: jsonLinesTraceSink(dialerLines.write),
          label: 'client',
        }),
      },
      listener: {
        trace: traceMessages({
          level: 'messages',
          sink: jsonLinesTraceSink(listenerLines.write),
          label: 'server',
        }),
      },
    });
    await converse(remote);
    remote[Symbol.dispose]();
    await dialer.terminate('done');
    await listener.closed;
    const output = [...dialerLines.text, ...listenerLines.text].join('');
    for (const secret of [secretText, secretReply, String(secretNumber), '987654321']) {
      expect(output).not.toContain(secret);
    }
    const events = output
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as TraceEvent);
    const call = events.find((event) => event.type === 'Call' && event.direction === 'out');
    expect(call).toMatchObject({
      session: 'client',
      fields: {
        questionId: expect.any(Number),
        target: 'export',
        targetId: 0,
        method: 'whisper',
        arguments: 2,
      },
    });
    expect(call!.size).toBeGreaterThan(secretText.length);
    expect(call).not.toHaveProperty('payload');
    const returned = events.find(
      (event) =>
        event.type === 'Return' &&
        event.session === 'client' &&
        event.fields.questionId === call!.fields.questionId,
    );
    expect(returned).toMatchObject({ direction: 'in', fields: { result: 'value' } });
    expect(returned!.size).toBeGreaterThan(secretReply.length);
    // The two items are counted, not shown (the first batch of a sequence carries one item).
    const itemCounts = events
      .filter((event) => event.type === 'StreamItems' && event.direction === 'out')
      .map((event) => event.fields.items as number);
    expect(itemCounts.reduce((sum, count) => sum + count, 0)).toBe(2);
    expect(events.some((event) => event.type === 'Return' && event.fields.result === 'error')).toBe(true);
    expect(events.find((event) => event.type === 'Hello' && event.direction === 'out')).toMatchObject({
      fields: { versions: '1,2,4,5', scheme: expect.any(String) },
    });
    // Both ends record the termination: this side ended it, the peer was told.
    expect(
      events
        .filter((event) => event.type === 'End')
        .map((event) => [event.session, event.direction, event.fields.code]),
    ).toEqual([
      ['client', 'out', 'closed'],
      ['server', 'in', 'closed'],
    ]);
    expect(events.some((event) => event.type === 'Abort' && event.fields.reason === 'done')).toBe(true);
  });

  test("a byte stream's StreamItems count bytes, sent in parts and received whole alike", async () => {
    const sink = memoryTraceSink();
    const { remote, dialer, listener } = served<ISecrets>(new Secrets(), {
      dialer: { trace: traceMessages({ level: 'messages', sink, label: 'client' }) },
      listener: { trace: traceMessages({ level: 'messages', sink, label: 'server' }) },
    });
    let received = 0;
    for await (const chunk of remote.download()) received += chunk.byteLength;
    expect(received).toBe(6000);
    remote[Symbol.dispose]();
    await dialer.terminate('done');
    await listener.closed;
    const counted = (direction: 'in' | 'out') =>
      sink.events
        .filter((event) => event.type === 'StreamItems' && event.direction === direction)
        .reduce((sum, event) => sum + (event.fields.items as number), 0);
    expect(counted('out')).toBe(6000);
    expect(counted('in')).toBe(6000);
  });

  test('level payloads records every message with its bytes, values included', async () => {
    const sink = memoryTraceSink();
    const { remote } = served<ISecrets>(new Secrets(), {
      dialer: { trace: traceMessages({ level: 'payloads', sink }) },
    });
    await converse(remote);
    remote[Symbol.dispose]();
    const decoder = new TextDecoder();
    const payloads = sink.events.map((event) =>
      event.payload === undefined ? '' : decoder.decode(event.payload),
    );
    expect(
      sink.events.filter((event) => event.type !== 'End').every((event) => event.payload !== undefined),
    ).toBe(true);
    expect(payloads.some((text) => text.includes(secretText))).toBe(true);
    expect(payloads.some((text) => text.includes(secretReply))).toBe(true);
    const call = sink.events.find((event) => event.type === 'Call');
    expect(call!.payload!.byteLength).toBe(call!.size);
  });

  test('the JSON lines sink writes one parseable line per event, with the payload in base64 at level payloads', async () => {
    const output = lines();
    const { remote } = served<ISecrets>(new Secrets(), {
      dialer: { trace: traceMessages({ level: 'payloads', sink: jsonLinesTraceSink(output.write) }) },
    });
    expect(await remote.whisper(secretText, 1)).toContain(secretReply);
    remote[Symbol.dispose]();
    expect(output.text.length).toBeGreaterThan(3);
    for (const line of output.text) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
    }
    const call = output.text.map((line) => JSON.parse(line)).find((event) => event.type === 'Call');
    const bytes = Uint8Array.from(atob(call.payload), (character) => character.charCodeAt(0));
    expect(bytes.byteLength).toBe(call.size);
    expect(new TextDecoder().decode(bytes)).toContain(secretText);
  });

  test("one tracing serving a scope's sessions labels the second label#2, and level off traces nothing", async () => {
    const sink = memoryTraceSink();
    const silent = memoryTraceSink();
    const transport = memory();
    await using server = new Scope({
      transport,
      authenticator: unauthenticated(),
      root: proxy<ISecrets>(new Secrets()),
      trace: traceMessages({ level: 'messages', sink, label: 'server' }),
    });
    await server.listen('memory:traced');
    await using client = new Scope({
      transport,
      authenticator: unauthenticated(),
      trace: traceMessages({ level: 'off', sink: silent }),
    });
    for (let index = 0; index < 2; index++) {
      using remote = client.connect<ISecrets>('memory:traced');
      expect(await remote.count()).toBe(secretNumber);
    }
    expect(new Set(sink.events.map((event) => event.session))).toEqual(new Set(['server', 'server#2']));
    expect(silent.events).toEqual([]);
  });
});
