import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** The host and port of a target address: `tcp:host:port`, `ws://host:port/path` or `http://host:port/`. */
export function hostAndPort(address: string): { host: string; port: number; path: string } {
  const url = new URL(address.startsWith('tcp:') ? `tcp://${address.slice(4)}` : address);
  return { host: url.hostname, port: Number(url.port), path: url.pathname };
}

/**
 * A plain TCP socket to `address`, connected. Errors after the connection (resets from the target)
 * are swallowed: the attacks observe endings through {@link closedWithin}.
 */
export function openSocket(address: string, timeoutMs = 5_000): Promise<Socket> {
  const { host, port } = hostAndPort(address);
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`could not connect to ${address} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

/** Resolves true once `socket` closed (by either side), false after `timeoutMs`. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.closed) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Writes `bytes` and resolves once they are handed to the kernel (or the socket failed). */
export function write(socket: Socket, bytes: Uint8Array | string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (socket.destroyed) {
      resolve(false);
      return;
    }
    socket.write(bytes, (error) => resolve(error === undefined || error === null));
  });
}

/**
 * Sends one raw HTTP request (any bytes) on a fresh connection and names how the server answered:
 * `http-1xx` / `http-2xx` / `http-3xx` / `http-4xx` / `http-5xx` by the status line's class, `closed`
 * when the server closed the connection without a status line, `no-answer` when nothing came within
 * `timeoutMs`, and `refused` when the connection could not be made.
 */
export async function httpExchange(
  address: string,
  request: Uint8Array | string,
  timeoutMs = 3_000,
): Promise<string> {
  let socket: Socket;
  try {
    socket = await openSocket(address);
  } catch {
    return 'refused';
  }
  try {
    return await new Promise<string>((resolve) => {
      let received = '';
      const timer = setTimeout(() => resolve('no-answer'), timeoutMs);
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        received += chunk;
        const match = /^HTTP\/1\.[01] (\d)\d\d/.exec(received);
        if (match !== null) {
          clearTimeout(timer);
          resolve(`http-${match[1]}xx`);
        } else if (received.length > 12) {
          clearTimeout(timer);
          resolve('garbage');
        }
      });
      socket.once('close', () => {
        clearTimeout(timer);
        resolve('closed');
      });
      socket.write(request);
    });
  } finally {
    socket.destroy();
  }
}

/** The request line and headers of a WebSocket upgrade to `path` on `host:port` (no body, ends in a blank line). */
export function upgradeRequest(host: string, port: number, path: string, extraHeaders = ''): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    `${extraHeaders}`,
  ]
    .filter((line) => line !== '')
    .join('\r\n')
    .concat('\r\n\r\n');
}

/**
 * Opens a WebSocket to `address` by hand (`ws://host:port/path`): the upgrade request, then waits for the
 * `101` answer. The socket is returned with its reading paused (an attacker that never reads), the
 * answer's bytes consumed.
 *
 * @throws Error when the server does not answer `101` within `timeoutMs`
 */
export async function openWebSocket(address: string, timeoutMs = 5_000): Promise<Socket> {
  const { host, port, path } = hostAndPort(address);
  const socket = await openSocket(address);
  await new Promise<void>((resolve, reject) => {
    let received = '';
    const timer = setTimeout(() => reject(new Error('no 101 answer to the upgrade')), timeoutMs);
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.pause();
        if (received.startsWith('HTTP/1.1 101')) resolve();
        else reject(new Error(`expected 101, got ${received.split('\r\n')[0]}`));
      }
    };
    socket.on('data', onData);
    socket.write(upgradeRequest(host, port, path));
  });
  return socket;
}

/**
 * A client-to-server WebSocket frame (masked, FIN set) of `opcode` (1 text, 2 binary, 9 ping...) whose
 * header declares `declaredLength` payload bytes (default: `payload`'s length); only `payload` follows.
 */
export function webSocketFrame(
  opcode: number,
  payload: Uint8Array,
  declaredLength = payload.byteLength,
): Uint8Array {
  const lengthBytes = declaredLength < 126 ? 0 : declaredLength < 65_536 ? 2 : 8;
  const header = new Uint8Array(2 + lengthBytes + 4);
  const view = new DataView(header.buffer);
  header[0] = 0x80 | opcode;
  if (lengthBytes === 0) header[1] = 0x80 | declaredLength;
  else if (lengthBytes === 2) {
    header[1] = 0x80 | 126;
    view.setUint16(2, declaredLength);
  } else {
    header[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(declaredLength));
  }
  // A zero mask: the payload goes as it is (masking with zeros is valid and keeps the bytes readable).
  const frame = new Uint8Array(header.byteLength + payload.byteLength);
  frame.set(header);
  frame.set(payload, header.byteLength);
  return frame;
}

/** Resolves after `milliseconds`. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
