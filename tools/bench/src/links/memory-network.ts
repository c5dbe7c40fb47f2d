import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { type Link, LinkState, type Listener, type Network } from './link.ts';

/**
 * A link over one port of a `MessageChannel`: every message is structured-cloned, as it would be
 * between threads. Closing either port closes both ends. The other port may live in another thread.
 */
export class MessagePortLink implements Link<unknown> {
  readonly #port: MessagePort;
  readonly #state = new LinkState<unknown>();

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (message: unknown) => this.#state.deliver(message));
    port.on('close', () => this.#state.markClosed());
  }

  send(message: unknown): void {
    if (!this.#state.closed) this.#port.postMessage(message);
  }

  onMessage(receiver: (message: unknown) => void): void {
    this.#state.setReceiver(receiver);
  }

  onClose(callback: () => void): void {
    this.#state.addCloseCallback(callback);
  }

  close(): void {
    if (this.#state.markClosed()) this.#port.close();
  }
}

/**
 * The in-process transport: each connection is a fresh `MessageChannel` (structured clone, one event
 * loop turn per message). Messages may be any structured-clonable value.
 */
export const memoryNetwork: Network<unknown> = {
  transport: 'memory',
  async listen(accept) {
    const links = new Set<Link<unknown>>();
    const listener: Listener<unknown> = {
      async connect() {
        const { port1, port2 } = new MessageChannel();
        const client = new MessagePortLink(port1);
        const server = new MessagePortLink(port2);
        links.add(client);
        client.onClose(() => links.delete(client));
        accept(server);
        return client;
      },
      async close() {
        for (const link of [...links]) link.close();
      },
    };
    return listener;
  },
};
