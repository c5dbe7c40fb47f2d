import type { CloseOptions, DialOptions, ListenOptions, Transport } from '@msc/transport';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import { type TcpTlsOptions, type TcpTransportOptions, tcp } from '../src/index.ts';

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
    expect(await roundTrip(tcp(unset), 'tcp:127.0.0.1:0')).toEqual([4, 5, 6]);
  });
});
