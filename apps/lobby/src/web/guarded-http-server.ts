import { type IncomingMessage, Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestPath } from './request-target.ts';

/** What the page server does with a request whose target it could parse. */
export type PageHandler = (request: IncomingMessage, response: ServerResponse, path: string) => void;

/**
 * An `http.Server` on which nothing arriving from a socket can throw out of a handler, for the
 * lobby's page server and the WebSocket endpoint that shares its port.
 *
 * Every `request` and `upgrade` passes one choke point (`emit`) before any listener sees it:
 * - a request-target that is not an origin-form path `new URL()` accepts is answered `400` and
 *   its socket closed, so no listener (ours, or the WebSocket transport's upgrade router) parses it;
 * - the page handler runs inside `try`: if it throws, the request is answered `500` (or its socket
 *   destroyed when the head was already sent), and the process lives;
 * - a malformed request (`clientError`) gets `400` and its socket closed; a socket error after
 *   that is ignored (the socket is gone), as is a server `error` after listening (logged).
 */
export class GuardedHttpServer extends Server {
  readonly #onPage: PageHandler;
  readonly #log: (line: string) => void;

  constructor(onPage: PageHandler, log: (line: string) => void = () => {}) {
    super();
    this.#onPage = onPage;
    this.#log = log;
    // Slow-loris bounds: a request's head within 10 s, the whole request within 30 s.
    this.headersTimeout = 10_000;
    this.requestTimeout = 30_000;
    this.on('request', (request: IncomingMessage, response: ServerResponse) =>
      this.#serve(request, response),
    );
    this.on('clientError', (error: Error, socket: Duplex) => {
      socket.on('error', () => socket.destroy());
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNRESET') socket.destroy();
      else if (code === 'HPE_HEADER_OVERFLOW') refuse(socket, 431, 'Request Header Fields Too Large');
      else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') refuse(socket, 408, 'Request Timeout');
      else refuse(socket, 400, 'Bad Request');
    });
    this.on('error', (error: Error) => this.#log(`page server error: ${error.message}`));
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'upgrade') {
      const [request, socket] = args as [IncomingMessage, Duplex];
      // Errors on an upgrading socket must not become uncaught `error` events.
      socket.on('error', () => socket.destroy());
      if (requestPath(request.url) === undefined) {
        refuse(socket, 400, 'Bad Request');
        return true;
      }
    }
    return emitEvent.call(this, event, ...args);
  }

  #serve(request: IncomingMessage, response: ServerResponse): void {
    try {
      const path = requestPath(request.url);
      if (path === undefined) {
        response.writeHead(400, { 'content-type': 'text/plain', connection: 'close' });
        response.end('expected a request-target of the form /path');
        return;
      }
      this.#onPage(request, response, path);
    } catch (error) {
      this.#log(`page server: a request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) response.writeHead(500, { connection: 'close' }).end();
      else response.destroy();
    }
  }
}

const emitEvent = Server.prototype.emit as (
  this: Server,
  event: string | symbol,
  ...args: unknown[]
) => boolean;

/** Answers `status` on a raw socket and closes it once the answer is flushed (at once if it cannot be). */
function refuse(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () =>
    socket.destroy(),
  );
}
