import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import { unsetOptionsRoundTrip } from '../../transport-tcp/test/fixtures/unset-options-round-trip.ts';
import type { BrowserWebSocketTransportOptions } from '../src/browser.ts';
import {
  type WebSocketConnectionOptions,
  type WebSocketTlsOptions,
  type WebSocketTransportOptions,
  ws,
} from '../src/index.ts';

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

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
    expect(await unsetOptionsRoundTrip(ws(unset), 'ws://127.0.0.1:0/msc')).toEqual([4, 5, 6]);
  });
});
