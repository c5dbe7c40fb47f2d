import type { Connection } from '@msc/transport';

/** Accepts one connection on behalf of a listener. */
export type AcceptConnection = (connection: Connection) => void;

/**
 * A namespace of in-process listeners, keyed by full address (`memory:lobby`, `message-port:game`). Transports
 * made without a registry share {@link defaultMemoryRegistry}, so a server and a client that each call `memory()`
 * in the same realm reach each other, like two programs on one network. Give a test its own registry to isolate it.
 * A registry never crosses threads.
 */
export class MemoryRegistry {
  readonly #listeners = new Map<string, AcceptConnection>();
  #names = 0;
  #connections = 0;

  /**
   * Binds `address` to `accept`. Returns false (binding nothing) when something already listens there.
   */
  bind(address: string, accept: AcceptConnection): boolean {
    if (this.#listeners.has(address)) return false;
    this.#listeners.set(address, accept);
    return true;
  }

  /** Removes the binding of `address` if it is still `accept`'s. */
  unbind(address: string, accept: AcceptConnection): void {
    if (this.#listeners.get(address) === accept) this.#listeners.delete(address);
  }

  /** The listener bound to `address`, if any. */
  lookup(address: string): AcceptConnection | undefined {
    return this.#listeners.get(address);
  }

  /** A name no listener of this registry was given yet (for addresses with an empty name, like port 0). */
  uniqueName(prefix: string): string {
    return `${prefix}-${++this.#names}`;
  }

  /** A number no other connection of this registry has, for connection addresses (`memory:lobby#3`). */
  nextConnectionNumber(): number {
    return ++this.#connections;
  }
}

/** The registry shared by every `memory()` and `messagePortTransport()` made without one. */
export const defaultMemoryRegistry: MemoryRegistry = new MemoryRegistry();
