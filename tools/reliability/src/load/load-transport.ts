import type { Transport } from '@msc/transport';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';

/** The transports the load check runs over. */
export type LoadTransportKind = 'tcp' | 'ws';

/**
 * The transport of `kind` and the loopback address its server listens on (port 0: the system picks).
 *
 * @throws RangeError for another kind
 */
export function loadTransport(kind: string): { transport: Transport; listenAddress: string } {
  if (kind === 'tcp') return { transport: tcp(), listenAddress: 'tcp:127.0.0.1:0' };
  if (kind === 'ws') return { transport: ws(), listenAddress: 'ws://127.0.0.1:0/load' };
  throw new RangeError(`expected the transport 'tcp' or 'ws', got '${kind}'`);
}
