import type { Socket } from 'node:net';
import type { Connection } from '@msc/transport';
import { DrivenConnection } from '@msc/transport/kit';
import { formatTcpAddress } from './tcp-address.ts';
import { TcpSocketDriver } from './tcp-driver.ts';
import type { TcpSettings } from './tcp-transport-options.ts';

/** A {@link Connection} over a TCP (or TLS) socket; see {@link tcp} for the behaviour. */
export interface TcpConnection extends Connection {
  /** Whether the connection runs over TLS. */
  readonly encrypted: boolean;
}

/**
 * One framed connection over a connected socket: the kit's lifecycle over a {@link TcpSocketDriver}, which
 * coalesces the frames sent in one turn into as few socket writes as possible and answers and sends heartbeats.
 */
export class TcpSocketConnection extends DrivenConnection<TcpSocketDriver> implements TcpConnection {
  readonly encrypted: boolean;

  /**
   * @param socket a connected socket (after `connect`/`secureConnect`), owned by the connection from now on
   * @param settings the transport's settings
   */
  constructor(socket: Socket, settings: TcpSettings) {
    super(
      {
        ...settings,
        localAddress: formatTcpAddress(socket.localAddress, socket.localPort),
        remoteAddress: formatTcpAddress(socket.remoteAddress, socket.remotePort),
        coalesceWrites: true,
      },
      (events) => new TcpSocketDriver(socket, settings, events),
    );
    this.encrypted = 'encrypted' in socket && socket.encrypted === true;
  }
}
