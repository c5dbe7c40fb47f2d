// Frames per second through an echoing peer: a burst of `frames` 64-byte frames goes out, each is echoed back,
// and an iteration ends when the last echo arrives. Compares memoryPair(), a messagePortPair() (same-thread
// MessageChannel with the connection protocol on top) and a raw MessageChannel postMessage echo (the floor the
// port connection is built on). Divide `frames` by the mean time for frames/s.
import { MessageChannel } from 'node:worker_threads';
import type { Connection } from '@msc/transport';
import { afterAll, bench, describe } from 'vitest';
import { memoryPair, messagePortPair } from '../src/index.ts';

const frames = 10_000;
const frameBytes = 64;

/** An echo over a pair of connections; `run()` sends a burst and resolves when every echo came back. */
function connectionEcho([client, server]: [Connection, Connection]) {
  let received = 0;
  let done: () => void = () => {};
  client.start({
    frame: () => {
      if (++received === frames) done();
    },
    closed: () => {},
  });
  server.start({ frame: (frame) => server.send(frame), closed: () => {} });
  return {
    run: () =>
      new Promise<void>((resolve) => {
        received = 0;
        done = resolve;
        for (let index = 0; index < frames; index++) client.send(new Uint8Array(frameBytes));
      }),
    close: () => client.close(),
  };
}

function rawChannelEcho(transfer: boolean) {
  const channel = new MessageChannel();
  let received = 0;
  let done: () => void = () => {};
  channel.port2.on('message', (frame: Uint8Array) => {
    if (transfer) channel.port2.postMessage(frame, [frame.buffer as ArrayBuffer]);
    else channel.port2.postMessage(frame);
  });
  channel.port1.on('message', () => {
    if (++received === frames) done();
  });
  return {
    run: () =>
      new Promise<void>((resolve) => {
        received = 0;
        done = resolve;
        for (let index = 0; index < frames; index++) {
          const frame = new Uint8Array(frameBytes);
          if (transfer) channel.port1.postMessage(frame, [frame.buffer]);
          else channel.port1.postMessage(frame);
        }
      }),
    close: () => channel.port1.close(),
  };
}

describe(`echo of ${frames} frames of ${frameBytes} bytes`, () => {
  const memory = connectionEcho(memoryPair());
  const port = connectionEcho(messagePortPair());
  const rawCopy = rawChannelEcho(false);
  const rawTransfer = rawChannelEcho(true);

  bench('memoryPair()', () => memory.run(), { time: 1_000 });
  bench('messagePortPair() (MessageChannel connection)', () => port.run(), { time: 1_000 });
  bench('raw MessageChannel postMessage (copy)', () => rawCopy.run(), { time: 1_000 });
  bench('raw MessageChannel postMessage (transfer)', () => rawTransfer.run(), { time: 1_000 });

  // Not a bench `teardown` option: tinybench runs that after the warm-up too, which would close the ports early.
  afterAll(async () => {
    await Promise.all([memory.close(), port.close()]);
    rawCopy.close();
    rawTransfer.close();
  });
});
