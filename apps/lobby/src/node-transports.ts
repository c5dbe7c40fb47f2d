import type { Transport } from '@msc/transport';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';

/**
 * The transport for a server address typed by a user: `tcp:host:port` (or `host:port`) for TCP,
 * `ws://host:port/msc` (or `wss://`) for WebSocket.
 *
 * @throws Error for an address of a kind this build does not know
 */
export function transportFor(address: string): Transport {
  if (address.startsWith('ws://') || address.startsWith('wss://')) return ws();
  if (address.startsWith('tcp:') || /^[^:/]+:\d+$/.test(address) || address.startsWith('[')) return tcp();
  throw new Error(`expected a tcp:host:port or ws://host:port/path address, got ${JSON.stringify(address)}`);
}
