import type { Connection, Transport } from '@msc/transport';
import { defaultMemoryRegistry, type MemoryRegistry } from './memory-registry.ts';
import type { MessagePortConnectionOptions } from './message-port-connection.ts';
import { inThreadPair } from './message-port-pair.ts';
import { type RegistryTransportParts, registryDial, registryListen } from './registry-transport.ts';

/** Options of {@link messagePortTransport}. */
export interface MessagePortTransportOptions
  extends Omit<MessagePortConnectionOptions, 'localAddress' | 'remoteAddress'> {
  /** Where listeners are registered and looked up. Default: the realm's shared `defaultMemoryRegistry`. */
  registry?: MemoryRegistry | undefined;
}

/**
 * A {@link Transport} whose connections are {@link messagePortConnection}s over fresh `MessageChannel`s, with
 * listeners named in an in-process registry (`message-port:<name>`; `message-port:` picks a fresh name). Every
 * connection it makes could be moved to another thread by transferring its port; the registry itself stays in
 * this realm. Dial and listen behave as `memory()`'s (same errors); the dialing transport's options apply to both
 * ends (`sendEarly` defaults to `false`: both ends start in this thread).
 *
 * @param options limits, timeouts, scheduler and registry; see {@link MessagePortTransportOptions}
 */
export function messagePortTransport(options: MessagePortTransportOptions = {}): Transport {
  const { registry = defaultMemoryRegistry, ...connectionOptions } = options;
  const parts: RegistryTransportParts<Connection> = {
    scheme: 'message-port',
    registry,
    dialDelayMs: 0,
    createPair: (dialerAddress, listenerAddress) =>
      inThreadPair(
        connectionOptions,
        { localAddress: dialerAddress, remoteAddress: listenerAddress },
        { localAddress: listenerAddress, remoteAddress: dialerAddress },
      ),
  };
  return {
    name: 'message-port',
    dial: (address, dialOptions) => registryDial(parts, address, dialOptions),
    listen: (address, onConnection, listenOptions) =>
      registryListen(parts, address, onConnection, listenOptions),
  };
}
