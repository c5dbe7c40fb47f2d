import type { Transport } from '@msc/transport';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';

/**
 * The transport for a server address typed by a user: `tcp:host:port` (or `host:port`) for TCP,
 * `ws://host:port/msc` (or `wss://`) for WebSocket.
 *
 * @throws Error for an address of a kind this build does not know, naming the address to use instead
 *   (for an `http://` page address, its `ws://…/msc` endpoint)
 */
export function transportFor(address: string): Transport {
  if (address.startsWith('ws://') || address.startsWith('wss://')) return ws();
  if (address.startsWith('tcp:') || /^[^:/]+:\d+$/.test(address) || address.startsWith('[')) return tcp();
  if (/^https?:\/\//i.test(address)) {
    // The page's address is what a player sees in the browser; the lobby's endpoint is beside it.
    const webSocket = address.replace(/^http/i, 'ws').replace(/\/*$/, '');
    throw new Error(
      `${JSON.stringify(address)} is the browser page's address: connect to its WebSocket endpoint, --server ${webSocket.endsWith('/msc') ? webSocket : `${webSocket}/msc`}`,
    );
  }
  throw new Error(`expected --server tcp:HOST:PORT or ws://HOST:PORT/msc, got ${JSON.stringify(address)}`);
}
