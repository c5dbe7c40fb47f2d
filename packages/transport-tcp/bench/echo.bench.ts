// Frame echo over loopback TCP: tcp() connections against a raw node:net echo of the same bytes (the ceiling).
// - burst: 10,000 frames of 64 bytes out, each echoed back; an iteration ends with the last echo.
// - stream: 256 frames of 64 KiB (16 MiB) out and back: byte-stream throughput.
// - round trip: 100 sequential 64-byte request/response pairs: latency.
// The raw echo writes the same length-prefixed bytes and its server echoes chunks without parsing them, so
// the difference is what framing, coalescing and delivery cost.
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { Connection } from '@msc/transport';
import { afterAll, bench, describe } from 'vitest';
import { tcp } from '../src/index.ts';

const transport = tcp();
const listener = await transport.listen('tcp:127.0.0.1:0', (connection) => {
  connection.start({ frame: (frame) => connection.send(frame), closed: () => {} });
});
const rawServer = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => {});
});
await new Promise<void>((resolve) => rawServer.listen({ host: '127.0.0.1', port: 0 }, resolve));
const rawPort = (rawServer.address() as AddressInfo).port;

/** A tcp() client whose `exchange(count, bytes)` sends `count` frames and resolves when all came back. */
async function frameClient() {
  const connection: Connection = await transport.dial(listener.address);
  let waiting = 0;
  let done: () => void = () => {};
  connection.start({
    frame: () => {
      if (--waiting === 0) done();
    },
    closed: () => {},
  });
  return {
    exchange(count: number, bytes: number, sequential = false): Promise<void> {
      return new Promise<void>((resolve) => {
        if (sequential) {
          let left = count;
          waiting = 1;
          done = () => {
            if (--left === 0) resolve();
            else {
              waiting = 1;
              connection.send(new Uint8Array(bytes));
            }
          };
          connection.send(new Uint8Array(bytes));
          return;
        }
        waiting = count;
        done = resolve;
        for (let index = 0; index < count; index++) connection.send(new Uint8Array(bytes));
      });
    },
    close: () => connection.close(),
  };
}

/** A raw net client writing length-prefixed frames (one buffer per burst) and counting echoed bytes. */
async function rawClient() {
  const socket: Socket = connect({ host: '127.0.0.1', port: rawPort });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  let waitingBytes = 0;
  let done: () => void = () => {};
  socket.on('data', (chunk: Buffer) => {
    waitingBytes -= chunk.byteLength;
    if (waitingBytes === 0) done();
  });
  const framed = (count: number, bytes: number) => {
    const buffer = Buffer.alloc(count * (4 + bytes));
    for (let index = 0; index < count; index++) buffer.writeUInt32BE(bytes, index * (4 + bytes));
    return buffer;
  };
  return {
    exchange(count: number, bytes: number, sequential = false): Promise<void> {
      return new Promise<void>((resolve) => {
        if (sequential) {
          let left = count;
          const one = framed(1, bytes);
          waitingBytes = one.byteLength;
          done = () => {
            if (--left === 0) resolve();
            else {
              waitingBytes = one.byteLength;
              socket.write(framed(1, bytes));
            }
          };
          socket.write(one);
          return;
        }
        const buffer = framed(count, bytes);
        waitingBytes = buffer.byteLength;
        done = resolve;
        socket.write(buffer);
      });
    },
    close: () => socket.end(),
  };
}

const framesClient = await frameClient();
const raw = await rawClient();

describe('burst: 10,000 frames of 64 bytes, echoed', () => {
  bench('tcp()', () => framesClient.exchange(10_000, 64), { time: 2_000 });
  bench('raw net echo', () => raw.exchange(10_000, 64), { time: 2_000 });
});

describe('stream: 256 frames of 64 KiB (16 MiB), echoed', () => {
  bench('tcp()', () => framesClient.exchange(256, 64 * 1024), { time: 2_000 });
  bench('raw net echo', () => raw.exchange(256, 64 * 1024), { time: 2_000 });
});

describe('round trip: 100 sequential 64-byte frames', () => {
  bench('tcp()', () => framesClient.exchange(100, 64, true), { time: 2_000 });
  bench('raw net echo', () => raw.exchange(100, 64, true), { time: 2_000 });
});

afterAll(async () => {
  await framesClient.close();
  raw.close();
  await listener.close();
  rawServer.close();
});
