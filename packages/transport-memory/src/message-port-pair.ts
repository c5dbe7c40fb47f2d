import type { Connection } from '@msc/transport';
import { type MessagePortConnectionOptions, messagePortConnection } from './message-port-connection.ts';

/** Pairs made, for their default addresses. */
let pairs = 0;

/**
 * Two connected {@link messagePortConnection}s over a fresh `MessageChannel` in this thread. Handy for tests; to
 * reach another thread, create the channel yourself and transfer one port.
 *
 * @param options applied to both ends (addresses default to `message-port:pair-<n>#a` / `#b`, `sendEarly` to
 *   `false`: both ends are in this thread)
 */
export function messagePortPair(options: MessagePortConnectionOptions = {}): [Connection, Connection] {
  const name = `message-port:pair-${++pairs}`;
  return inThreadPair(
    options,
    {
      localAddress: options.localAddress ?? `${name}#a`,
      remoteAddress: options.remoteAddress ?? `${name}#b`,
    },
    {
      localAddress: options.localAddress ?? `${name}#b`,
      remoteAddress: options.remoteAddress ?? `${name}#a`,
    },
  );
}

/** The addresses of one end of an {@link inThreadPair}. */
interface EndAddresses {
  readonly localAddress: string;
  readonly remoteAddress: string;
}

/**
 * Two connections over a fresh `MessageChannel` whose ends both start in this thread (a pair, a
 * `messagePortTransport()` connection): `sendEarly` defaults to `false` there, since an early frame
 * would only be one more `postMessage` in this thread. Internal: the package index does not export it.
 */
export function inThreadPair(
  options: MessagePortConnectionOptions,
  first: EndAddresses,
  second: EndAddresses,
): [Connection, Connection] {
  const channel = new MessageChannel();
  const shared = { ...options, sendEarly: options.sendEarly ?? false };
  return [
    messagePortConnection(channel.port1, { ...shared, ...first }),
    messagePortConnection(channel.port2, { ...shared, ...second }),
  ];
}
