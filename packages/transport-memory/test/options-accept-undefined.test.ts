import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import {
  type MemoryConnectionOptions,
  type MemoryTransportOptions,
  type MessagePortConnectionOptions,
  type MessagePortTransportOptions,
  memory,
  messagePortPair,
  messagePortTransport,
} from '../src/index.ts';

describe('options accept an explicit undefined for every optional property', () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

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
    sendEarly: undefined,
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
