import type { Socket } from 'node:net';
import { frameOf, helloBytes, Wire, wireCodec } from '../wire-peer.ts';
import type { Attack, AttackContext } from './attack.ts';
import { openSocket, openWebSocket, sleep, webSocketFrame, write } from './raw-socket.ts';
import { sessionEnd } from './session-end.ts';

/** The TCP transport's ping word (see `@msc/transport-tcp`'s wire-format.ts; kept here, as a peer written from the spec would). */
const tcpPingWord = 0xffff_ffff;

/**
 * Waits until `socket` drains or closes, at most `milliseconds`, and removes the listeners it added
 * (the flood loops through this thousands of times on one socket).
 */
function drainedOrClosed(socket: Socket, milliseconds: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, milliseconds);
    socket.once('drain', done);
    socket.once('close', done);
  });
}

/**
 * Writes `chunk` again and again (honouring the socket's backpressure) until `maxBytes` went out, the
 * socket closed, or `milliseconds` passed; samples the target's memory every 8 MiB.
 */
async function flood(
  context: AttackContext,
  socket: Socket,
  chunk: Uint8Array,
  maxBytes: number,
  milliseconds: number,
): Promise<void> {
  const deadline = performance.now() + milliseconds;
  let sinceSample = 0;
  for (let sent = 0; sent < maxBytes && performance.now() < deadline && !socket.destroyed; ) {
    if (!socket.write(chunk)) await drainedOrClosed(socket, Math.max(0, deadline - performance.now()));
    sent += chunk.byteLength;
    sinceSample += chunk.byteLength;
    if (sinceSample >= 8 * 1024 * 1024) {
      sinceSample = 0;
      await context.sampleMemory();
    }
  }
  await context.sampleMemory();
}

/**
 * Class 2 over TCP: a client that completes the session handshake (so no handshake timeout ends it),
 * then sends ping words as fast as the socket takes them and never reads. Each ping makes the server
 * write a pong; fixed, the pongs are coalesced (one pending at most) and count against the connection's
 * `maxBufferedBytes`: the server holds almost nothing (`up`, within the memory bound) or ends the
 * connection with `limit` (or `timeout`, when its heartbeat goes unanswered).
 */
async function tcpPingsNeverRead(context: AttackContext): Promise<string> {
  const socket = await openSocket(context.target.addresses.scopeTcp);
  context.defer(() => socket.destroy());
  socket.pause();
  const codec = wireCodec();
  socket.write(frameRecord(helloBytes(codec)));
  socket.write(frameRecord(frameOf([codec.encode([Wire.Configure, [0, 0]]).slice()])));
  const chunk = new Uint8Array(1024 * 1024);
  const view = new DataView(chunk.buffer);
  for (let offset = 0; offset < chunk.byteLength; offset += 4) view.setUint32(offset, tcpPingWord);
  // At most 128 MiB of pings (32 Mi pongs to answer) and 4 s per scale unit, whichever first.
  await flood(context, socket, chunk, 128 * 1024 * 1024 * context.scale, 4_000 * context.scale);
  return sessionEnd(context, 'scopeTcp', 3_000);
}

/** A 4-byte big-endian length, then `frame`: one frame record of the TCP transport. */
function frameRecord(frame: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(4 + frame.byteLength);
  new DataView(bytes.buffer).setUint32(0, frame.byteLength);
  bytes.set(frame, 4);
  return bytes;
}

/**
 * Class 2 over WebSocket: after the session handshake, pings with 125-byte payloads (the largest a
 * control frame may carry) from a client that never reads the pongs. Fixed: as over TCP, the pongs the server holds are bounded (`up`
 * within the memory bound) or the connection ends with `limit`.
 */
async function webSocketPingsNeverRead(context: AttackContext): Promise<string> {
  const socket = await openWebSocket(context.target.addresses.scopeWs);
  context.defer(() => socket.destroy());
  // The session handshake first, so that no handshake timeout ends the connection.
  const codec = wireCodec();
  socket.write(webSocketFrame(2, helloBytes(codec)));
  socket.write(webSocketFrame(2, frameOf([codec.encode([Wire.Configure, [0, 0]]).slice()])));
  const ping = webSocketFrame(9, new Uint8Array(125).fill(0x70));
  const chunk = new Uint8Array(ping.byteLength * 8_000);
  for (let index = 0; index < 8_000; index++) chunk.set(ping, index * ping.byteLength);
  await flood(context, socket, chunk, 128 * 1024 * 1024 * context.scale, 4_000 * context.scale);
  return sessionEnd(context, 'scopeWs', 3_000);
}

/**
 * Class 3 over TCP: 20 connections (per scale unit), each sending a frame header that declares
 * 16 MiB − 1 bytes, then trickling a byte every 50 ms. Fixed: buffers grow with the bytes that arrived,
 * so nothing is reserved ahead (the connections may wait for their bytes, `up`, within the memory bound)
 * or the frame is refused at once (`protocol` / `limit`).
 */
async function tcpDeclaredFrameTrickle(context: AttackContext): Promise<string> {
  const sockets: Socket[] = [];
  context.defer(() => {
    for (const socket of sockets) socket.destroy();
  });
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, 16 * 1024 * 1024 - 1);
  for (let index = 0; index < 20 * context.scale; index++) {
    const socket = await openSocket(context.target.addresses.scopeTcp);
    sockets.push(socket);
    await write(socket, header);
  }
  for (let round = 0; round < 10; round++) {
    for (const socket of sockets) if (!socket.destroyed) socket.write(new Uint8Array([0x82]));
    await sleep(50);
  }
  await context.sampleMemory();
  return sessionEnd(context, 'scopeTcp', 3_000);
}

/**
 * Class 3 over WebSocket: 20 connections, each sending a binary frame header that declares 16 MiB, then
 * trickling payload bytes. Fixed: nothing is reserved ahead of arrival; the frame is refused (its
 * declared size is over the cap before the handshake) or held only as it arrives.
 */
async function webSocketDeclaredFrameTrickle(context: AttackContext): Promise<string> {
  const sockets: Socket[] = [];
  context.defer(() => {
    for (const socket of sockets) socket.destroy();
  });
  for (let index = 0; index < 20 * context.scale; index++) {
    const socket = await openWebSocket(context.target.addresses.scopeWs);
    sockets.push(socket);
    await write(socket, webSocketFrame(2, new Uint8Array(1).fill(0x82), 16 * 1024 * 1024));
  }
  for (let round = 0; round < 10; round++) {
    for (const socket of sockets) if (!socket.destroyed) socket.write(new Uint8Array(64));
    await sleep(50);
  }
  await context.sampleMemory();
  return sessionEnd(context, 'scopeWs', 3_000);
}

/**
 * Opens `count` connections with `open` (stopping at the descriptors' end), each read and discarded so
 * that the target's closing is seen; names `refused` when the target closed or refused some of them
 * within 2 s (a limit at work), `up` when it held every one open.
 */
async function connectionFlood(
  context: AttackContext,
  count: number,
  open: () => Promise<Socket>,
): Promise<string> {
  const sockets: Socket[] = [];
  context.defer(() => {
    for (const socket of sockets) socket.destroy();
  });
  let refused = 0;
  for (let index = 0; index < count; index++) {
    try {
      const socket = await open();
      socket.resume();
      sockets.push(socket);
    } catch (error) {
      // Only the target's refusal counts; running out of descriptors here is the suite's own failure.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EMFILE' || code === 'ENFILE') throw error;
      refused++;
    }
  }
  await context.sampleMemory();
  await sleep(2_000);
  const closed = sockets.filter((socket) => socket.destroyed || socket.closed || socket.readableEnded).length;
  context.note(`${refused} refused, ${closed} of ${sockets.length} closed by the target`);
  return refused + closed > 0 ? 'refused' : 'up';
}

/**
 * Class 8 over TCP: 600 connections (per scale unit) that never send a byte (pending session handshakes) to the bare
 * TCP scope. Fixed: the scope holds at most `maxPendingSessions` (default 128) of them per listener and
 * aborts the rest on arrival; everyone else (the bystander) is still served.
 */
function tcpConnectionFlood(context: AttackContext): Promise<string> {
  return connectionFlood(context, 600 * context.scale, () =>
    openSocket(context.target.addresses.scopeTcp, 2_000),
  );
}

/**
 * Class 8 over WebSocket: 600 connections (per scale unit) to the `ws()` listener that complete the HTTP upgrade and
 * then never send a hello (pending session handshakes). Fixed: as over TCP, at most
 * `maxPendingSessions` are held; the rest get a close frame (4001) and the end of the TCP stream at once.
 */
function webSocketHandshakeFlood(context: AttackContext): Promise<string> {
  return connectionFlood(context, 600 * context.scale, async () => {
    try {
      return await openWebSocket(context.target.addresses.scopeWs, 2_000);
    } catch (error) {
      // An upgrade answered with an error or a socket closed before the answer is the target's refusal.
      if ((error as NodeJS.ErrnoException).code === undefined)
        throw Object.assign(error as Error, { code: 'REFUSED' });
      throw error;
    }
  });
}

/** Classes 2, 3 and 8: the transports' own framing, control frames and listeners. */
export const transportAttacks: readonly Attack[] = [
  {
    id: 'tcp-pings-never-read',
    attackClass: 2,
    description:
      'TCP ping words as fast as the socket takes them (up to 128 MiB in 4 s) after the handshake, from a client that never reads',
    endpoint: 'scopeTcp',
    expected: ['limit', 'timeout', 'up'],
    memoryBoundMiB: 64,
    run: tcpPingsNeverRead,
  },
  {
    id: 'ws-pings-never-read',
    attackClass: 2,
    description:
      'WebSocket pings with 125-byte payloads (up to 128 MiB in 4 s) from a client that never reads the pongs',
    endpoint: 'scopeWs',
    expected: ['limit', 'timeout', 'up'],
    memoryBoundMiB: 64,
    run: webSocketPingsNeverRead,
  },
  {
    id: 'tcp-declared-16mib-trickle',
    attackClass: 3,
    description: '20 TCP connections whose first frame header declares 16 MiB, then a byte every 50 ms',
    endpoint: 'scopeTcp',
    expected: ['protocol', 'limit', 'up'],
    memoryBoundMiB: 64,
    run: tcpDeclaredFrameTrickle,
  },
  {
    id: 'ws-declared-16mib-trickle',
    attackClass: 3,
    description:
      '20 WebSocket connections whose first binary frame declares 16 MiB, then 64 bytes every 50 ms',
    endpoint: 'scopeWs',
    expected: ['protocol', 'limit', 'up'],
    memoryBoundMiB: 64,
    run: webSocketDeclaredFrameTrickle,
  },
  {
    id: 'tcp-connection-flood',
    attackClass: 8,
    description: '600 TCP connections that never send a byte',
    endpoint: 'scopeTcp',
    expected: ['refused'],
    memoryBoundMiB: 128,
    latencyBoundMs: 3_000,
    timeoutMs: 60_000,
    run: tcpConnectionFlood,
  },
  {
    id: 'ws-handshake-flood',
    attackClass: 8,
    description: '600 WebSocket upgrades to the `ws()` listener that never send a hello',
    endpoint: 'scopeWs',
    expected: ['refused'],
    memoryBoundMiB: 128,
    latencyBoundMs: 3_000,
    timeoutMs: 60_000,
    run: webSocketHandshakeFlood,
  },
];
