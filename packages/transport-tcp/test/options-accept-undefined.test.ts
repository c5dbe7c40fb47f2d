import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import { type TcpTlsOptions, type TcpTransportOptions, tcp } from '../src/index.ts';
import { unsetOptionsRoundTrip } from './fixtures/unset-options-round-trip.ts';

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<TcpTransportOptions>>().toExtend<Partial<TcpTransportOptions>>();
    expectTypeOf<ExplicitlyUndefined<TcpTlsOptions>>().toExtend<Partial<TcpTlsOptions>>();
  });

  test('a transport whose every optional option is undefined connects with the defaults', async () => {
    const unset: ExplicitlyUndefined<TcpTransportOptions> = {
      maxFrameBytes: undefined,
      lowWaterMarkBytes: undefined,
      maxBufferedBytes: undefined,
      receiveBufferBytes: undefined,
      idleTimeoutMs: undefined,
      heartbeatIntervalMs: undefined,
      connectTimeoutMs: undefined,
      closeTimeoutMs: undefined,
      keepAliveDelayMs: undefined,
      noDelay: undefined,
      maxConnections: undefined,
      tls: undefined,
      scheduler: undefined,
      logger: undefined,
    };
    expect(await unsetOptionsRoundTrip(tcp(unset), 'tcp:127.0.0.1:0')).toEqual([4, 5, 6]);
  });
});
