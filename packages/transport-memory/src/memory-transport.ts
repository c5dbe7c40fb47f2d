import type { DialOptions, Listener, ListenOptions, Transport } from '@msc/transport';
import { createMemoryConnectionPair, type MemoryConnection } from './memory-connection.ts';
import type { MemoryConnectionOptions } from './memory-connection-options.ts';
import { defaultMemoryRegistry, type MemoryRegistry } from './memory-registry.ts';
import { type RegistryTransportParts, registryDial, registryListen } from './registry-transport.ts';

/** Options of {@link memory}. */
export interface MemoryTransportOptions extends MemoryConnectionOptions {
  /** Where listeners are registered and looked up. Default: {@link defaultMemoryRegistry}, shared by the realm. */
  registry?: MemoryRegistry | undefined;
}

/** The in-process {@link Transport}; its connections are {@link MemoryConnection}s (with `breakNow()`). */
export interface MemoryTransport extends Transport {
  /** Always `memory`. */
  readonly name: 'memory';
  /**
   * Connects to the listener at `memory:<name>` (the `memory:` prefix may be left out). The dialing transport's
   * options (delay, faults, scheduler, limits) govern both ends of the new connection. Takes `delayMs` when set.
   *
   * @throws DialError `bad-address` (another scheme, empty name), `refused` (nobody listens), `aborted`, `timeout`
   *   (only when `timeoutMs < delayMs`).
   */
  dial(address: string, options?: DialOptions): Promise<MemoryConnection>;
  /**
   * Registers a listener at `memory:<name>`; `memory:` (empty name) picks a fresh unique name, like port 0. The
   * listener's `address` is the canonical form. `onConnection` runs in a later microtask than the dial.
   *
   * @throws ListenError `bad-address`, `address-in-use`, `aborted`.
   */
  listen(
    address: string,
    onConnection: (connection: MemoryConnection) => void,
    options?: ListenOptions,
  ): Promise<Listener>;
}

/**
 * Creates an in-process transport. Frames are handed over without copying (the receiver gets the very buffer the
 * sender passed to `send()`), delivered in batches, FIFO, in a later microtask (a macrotask when a same-thread
 * exchange has run many deliveries without yielding to the event loop, so it cannot starve I/O).
 *
 * Connection addresses: the dialer sees itself as `memory:<name>#<n>` and its peer as `memory:<name>`; the accepted
 * side sees the reverse.
 *
 * @param options delay, fault injection, scheduler, limits and the registry; see {@link MemoryTransportOptions}
 */
export function memory(options: MemoryTransportOptions = {}): MemoryTransport {
  const { registry = defaultMemoryRegistry, ...connectionOptions } = options;
  const parts: RegistryTransportParts<MemoryConnection> = {
    scheme: 'memory',
    registry,
    dialDelayMs: connectionOptions.delayMs ?? 0,
    createPair: (dialerAddress, listenerAddress) =>
      createMemoryConnectionPair(connectionOptions, {
        first: { local: dialerAddress, remote: listenerAddress },
        second: { local: listenerAddress, remote: dialerAddress },
      }),
  };
  return {
    name: 'memory',
    dial: (address, dialOptions) => registryDial(parts, address, dialOptions),
    listen: (address, onConnection, listenOptions) =>
      registryListen(parts, address, onConnection, listenOptions),
  };
}
