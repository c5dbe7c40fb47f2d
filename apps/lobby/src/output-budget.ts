import type { Connection, Transport } from '@msc/transport';

/** Options of {@link OutputBudget}. */
export interface OutputBudgetOptions {
  /** Most bytes all connections together may have waiting to be sent. */
  readonly maxBytes: number;
  /** How often to count, in milliseconds. Default 100. */
  readonly intervalMs?: number;
  /** Told about each connection ended for the budget. */
  readonly log?: (line: string) => void;
}

/**
 * A server-wide budget of buffered output: the bytes every accepted connection holds, waiting for
 * its peer to read them, summed over all connections. Each session is bounded on its own (the
 * session limit `maxBufferedBytes` ends it with `limit`), but many sessions that never read could
 * each stay just under that and together exhaust the heap (the lobby once stalled 50 s at 3.2 GB
 * under 30 such sessions). So the budget is counted every `intervalMs`, and while the sum is over
 * `maxBytes` the connection holding the most is aborted (its unsent bytes dropped, its session
 * ends as the connection is lost), largest first: peers that do read are not touched, and memory
 * stays within `maxBytes` plus what one `intervalMs` lets pile up.
 *
 * Connections are counted by wrapping the transport a scope listens on ({@link OutputBudget.wrap}).
 * Counting polls `bufferedBytes` (transports do not announce it): O(connections) per sweep, a few
 * microseconds for a thousand connections.
 */
export class OutputBudget {
  readonly #options: OutputBudgetOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #connections = new Set<Connection>();
  /** Connections ended for the budget so far. */
  ended = 0;

  constructor(options: OutputBudgetOptions) {
    this.#options = options;
  }

  /** Starts counting (idempotent); the timer does not keep the process alive. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.sweep(), this.#options.intervalMs ?? 100);
    this.#timer.unref();
  }

  /** `transport`, with every connection it accepts counted by this budget (until it closes). */
  wrap(transport: Transport): Transport {
    return {
      name: transport.name,
      dial: (address, options) => transport.dial(address, options),
      listen: (address, onConnection, options) =>
        transport.listen(
          address,
          (connection) => {
            this.#connections.add(connection);
            void connection.closed.then(
              () => this.#connections.delete(connection),
              () => this.#connections.delete(connection),
            );
            onConnection(connection);
          },
          options,
        ),
    };
  }

  /** Connections counted now. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Stops counting. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Counts once and ends sessions, largest first, until the rest fit.
   *
   * @returns the bytes buffered over all sessions before this sweep ended any
   */
  sweep(): number {
    const holders: { readonly connection: Connection; readonly bytes: number }[] = [];
    let total = 0;
    for (const connection of this.#connections) {
      const bytes = connection.bufferedBytes;
      if (bytes > 0) holders.push({ connection, bytes });
      total += bytes;
    }
    if (total <= this.#options.maxBytes) return total;
    holders.sort((first, second) => second.bytes - first.bytes);
    let remaining = total;
    for (const { connection, bytes } of holders) {
      if (remaining <= this.#options.maxBytes) break;
      remaining -= bytes;
      this.ended++;
      this.#connections.delete(connection);
      const message = `limit: the server's output budget is spent (${total} bytes wait to be sent, at most ${this.#options.maxBytes}); this connection held ${bytes}`;
      this.#options.log?.(`ending the connection from ${connection.remoteAddress}: ${message}`);
      connection.abort(new Error(message));
    }
    return total;
  }
}
