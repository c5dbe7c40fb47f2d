import { readFileSync } from 'node:fs';
import type { CloseOptions, DialOptions, ListenOptions, Transport } from '@msc/transport';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { BrowserWebSocketTransportOptions } from '../src/browser.ts';
import {
  type WebSocketConnectionOptions,
  type WebSocketTlsOptions,
  type WebSocketTransportOptions,
  ws,
} from '../src/index.ts';

/** Listens, dials and moves one frame with every dial and listen option undefined. */
async function roundTrip(transport: Transport, address: string): Promise<number[]> {
  const unset = { signal: undefined } satisfies ExplicitlyUndefined<ListenOptions>;
  const dialUnset = { signal: undefined, timeoutMs: undefined } satisfies ExplicitlyUndefined<DialOptions>;
  let received: (frame: Uint8Array) => void = () => {};
  const arrived = new Promise<Uint8Array>((resolve) => {
    received = resolve;
  });
  const listener = await transport.listen(
    address,
    (peer) => peer.start({ frame: received, closed: () => {} }),
    unset,
  );
  try {
    const dialed = await transport.dial(listener.address, dialUnset);
    dialed.start({ frame: () => {}, closed: () => {} });
    dialed.send(new Uint8Array([4, 5, 6]));
    const frame = await arrived;
    const closing: ExplicitlyUndefined<CloseOptions> = { code: undefined, message: undefined };
    await dialed.close(closing);
    return [...frame];
  } finally {
    await listener.close();
  }
}

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
    expectTypeOf<ExplicitlyUndefined<WebSocketConnectionOptions>>().toExtend<
      Partial<WebSocketConnectionOptions>
    >();
    expectTypeOf<ExplicitlyUndefined<WebSocketTransportOptions>>().toExtend<
      Partial<WebSocketTransportOptions>
    >();
    expectTypeOf<ExplicitlyUndefined<WebSocketTlsOptions>>().toExtend<Partial<WebSocketTlsOptions>>();
    expectTypeOf<ExplicitlyUndefined<BrowserWebSocketTransportOptions>>().toExtend<
      Partial<BrowserWebSocketTransportOptions>
    >();
  });

  test('a transport whose every optional option is undefined connects with the defaults', async () => {
    const connection: ExplicitlyUndefined<WebSocketConnectionOptions> = {
      maxFrameBytes: undefined,
      lowWaterMarkBytes: undefined,
      maxBufferedBytes: undefined,
      idleTimeoutMs: undefined,
      heartbeatIntervalMs: undefined,
      connectTimeoutMs: undefined,
      closeTimeoutMs: undefined,
      scheduler: undefined,
    };
    const unset: ExplicitlyUndefined<WebSocketTransportOptions> = {
      ...connection,
      server: undefined,
      allowedOrigins: undefined,
      tls: undefined,
      maxConnections: undefined,
      logger: undefined,
    };
    expect(await roundTrip(ws(unset), 'ws://127.0.0.1:0/msc')).toEqual([4, 5, 6]);
  });
});
