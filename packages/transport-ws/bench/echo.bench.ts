// Frame echo over loopback WebSocket: ws() connections against a raw `ws` echo (the ceiling).
// - burst: 10,000 messages of 64 bytes out, each echoed back; an iteration ends with the last echo.
// - stream: 256 messages of 64 KiB (16 MiB) out and back: byte-stream throughput.
// - round trip: 100 sequential 64-byte request/response pairs: latency.
import type { AddressInfo } from 'node:net';
import type { Connection } from '@msc/transport';
import { afterAll, bench, describe } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { ws } from '../src/index.ts';

const transport = ws();
const listener = await transport.listen('ws://127.0.0.1:0/bench', (connection) => {
  connection.start({ frame: (frame) => connection.send(frame), closed: () => {} });
});
const rawServer = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
rawServer.on('connection', (socket) =>
  socket.on('message', (data) => socket.send(data as Buffer, { binary: true })),
);
await new Promise((resolve) => rawServer.once('listening', resolve));

/** Something that echoes: `send` one frame, `onFrame` for each echo. */
interface Echo {
  send(bytes: number): void;
  onFrame(listener: () => void): void;
  close(): void;
}

function exchanger(echo: Echo) {
  let waiting = 0;
  let done: () => void = () => {};
  echo.onFrame(() => {
    if (--waiting === 0) done();
  });
  return (count: number, bytes: number, sequential = false) =>
    new Promise<void>((resolve) => {
      if (sequential) {
        let left = count;
        waiting = 1;
        done = () => {
          if (--left === 0) resolve();
          else {
            waiting = 1;
            echo.send(bytes);
          }
        };
        echo.send(bytes);
        return;
      }
      waiting = count;
      done = resolve;
      for (let index = 0; index < count; index++) echo.send(bytes);
    });
}

const connection: Connection = await transport.dial(listener.address);
let onConnectionFrame: () => void = () => {};
connection.start({ frame: () => onConnectionFrame(), closed: () => {} });
const viaTransport = exchanger({
  send: (bytes) => connection.send(new Uint8Array(bytes)),
  onFrame: (listener) => {
    onConnectionFrame = listener;
  },
  close: () => void connection.close(),
});

const rawSocket = new WebSocket(`ws://127.0.0.1:${(rawServer.address() as AddressInfo).port}/`, {
  perMessageDeflate: false,
});
await new Promise((resolve) => rawSocket.once('open', resolve));
const viaRaw = exchanger({
  send: (bytes) => rawSocket.send(new Uint8Array(bytes), { binary: true }),
  onFrame: (listener) => rawSocket.on('message', listener),
  close: () => rawSocket.close(),
});

describe('burst: 10,000 messages of 64 bytes, echoed', () => {
  bench('ws()', () => viaTransport(10_000, 64), { time: 2_000 });
  bench('raw ws echo', () => viaRaw(10_000, 64), { time: 2_000 });
});

describe('stream: 256 messages of 64 KiB (16 MiB), echoed', () => {
  bench('ws()', () => viaTransport(256, 64 * 1024), { time: 2_000 });
  bench('raw ws echo', () => viaRaw(256, 64 * 1024), { time: 2_000 });
});

describe('round trip: 100 sequential 64-byte messages', () => {
  bench('ws()', () => viaTransport(100, 64, true), { time: 2_000 });
  bench('raw ws echo', () => viaRaw(100, 64, true), { time: 2_000 });
});

afterAll(async () => {
  await connection.close();
  rawSocket.close();
  await listener.close();
  for (const client of rawServer.clients) client.terminate();
  rawServer.close();
});
