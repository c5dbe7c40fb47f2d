import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type MemoryConnectionOptions,
  type MemoryTransportOptions,
  type MessagePortConnectionOptions,
  type MessagePortTransportOptions,
  memory,
  messagePortPair,
  messagePortTransport,
} from '../src/index.ts';

/**
 * Each optional property of `T` set to `undefined`, as a caller writes who forwards a setting that
 * may be unset (`{ timeoutMs: flags.timeout }`). Under `exactOptionalPropertyTypes` (this project's
 * tsconfig, and many users') such an object is accepted only where the property is declared
 * `?: X | undefined`; the code then treats `undefined` as absent. Distributes over unions.
 */
type ExplicitlyUndefined<T> = T extends unknown
  ? { [K in keyof T as {} extends Pick<T, K> ? K : never]-?: undefined }
  : never;

/** The public options types of this package's entries: exported type names ending in `Options`. */
function exportedOptionTypes(): string[] {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries = JSON.stringify(manifest.exports).match(/\.\/src\/[\w/.-]+\.ts/g) ?? [];
  const names = new Set<string>();
  for (const entry of new Set(entries)) {
    const source = readFileSync(new URL(`../${entry}`, import.meta.url), 'utf8');
    for (const [, block] of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
      for (const name of block!.match(/\b\w+Options\b/g) ?? []) names.add(name);
    }
  }
  return [...names].sort();
}

/** The options types this file checks: every name inside `ExplicitlyUndefined<...>` below. */
function checkedOptionTypes(): string[] {
  const text = readFileSync(new URL(import.meta.url), 'utf8');
  return [
    ...new Set([...text.matchAll(/ExplicitlyUndefined<(\w+Options)\b/g)].map((match) => match[1]!)),
  ].sort();
}

describe('options accept an explicit undefined for every optional property', () => {
  test('every exported options type is checked here', () => {
    expect(checkedOptionTypes()).toEqual(expect.arrayContaining(exportedOptionTypes()));
  });

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<MemoryConnectionOptions>>().toExtend<Partial<MemoryConnectionOptions>>();
    expectTypeOf<ExplicitlyUndefined<MemoryTransportOptions>>().toExtend<Partial<MemoryTransportOptions>>();
    expectTypeOf<ExplicitlyUndefined<MessagePortConnectionOptions>>().toExtend<
      Partial<MessagePortConnectionOptions>
    >();
    expectTypeOf<ExplicitlyUndefined<MessagePortTransportOptions>>().toExtend<
      Partial<MessagePortTransportOptions>
    >();
  });

  const connectionOptions: ExplicitlyUndefined<MessagePortConnectionOptions> = {
    localAddress: undefined,
    remoteAddress: undefined,
    maxFrameBytes: undefined,
    lowWaterMarkBytes: undefined,
    maxBufferedBytes: undefined,
    closeTimeoutMs: undefined,
    scheduler: undefined,
  };

  test('undefined addresses of a message-port pair are absent: the pair names its ends', () => {
    // Before: the spread let `localAddress: undefined` replace the pair's own name for each end.
    const [first, second] = messagePortPair(connectionOptions);
    expect(first.localAddress).toMatch(/^message-port:pair-\d+#a$/);
    expect(first.remoteAddress).toBe(second.localAddress);
    first.abort();
    second.abort();
  });

  test('transports whose every optional option is undefined connect with the defaults', async () => {
    const memoryOptions: ExplicitlyUndefined<MemoryTransportOptions> = {
      delayMs: undefined,
      breakAfterFrames: undefined,
      scheduler: undefined,
      maxFrameBytes: undefined,
      lowWaterMarkBytes: undefined,
      maxBufferedBytes: undefined,
      registry: undefined,
    };
    const connection: ExplicitlyUndefined<MemoryConnectionOptions> = memoryOptions;
    const portOptions: ExplicitlyUndefined<MessagePortTransportOptions> = {
      ...connectionOptions,
      registry: undefined,
    };
    for (const transport of [
      memory({ ...memoryOptions, ...connection }),
      messagePortTransport(portOptions),
    ]) {
      const accepted: Promise<Uint8Array>[] = [];
      const listener = await transport.listen(`${transport.name}:`, (peer) => {
        accepted.push(new Promise((resolve) => peer.start({ frame: resolve, closed: () => {} })));
      });
      const dialed = await transport.dial(listener.address);
      dialed.start({ frame: () => {}, closed: () => {} });
      dialed.send(new Uint8Array([1, 2, 3]));
      await expect.poll(() => accepted.length).toBe(1);
      expect([...(await accepted[0]!)]).toEqual([1, 2, 3]);
      dialed.abort();
      await listener.close();
    }
  });
});
