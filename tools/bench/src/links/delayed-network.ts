import type { Link, Listener, Network } from './link.ts';

/**
 * Wraps a send function so that every message leaves `delayMilliseconds` later. Node runs timers of
 * equal duration in the order they were set, so the delay keeps message order. Adapters over their
 * own transports (not `links/`) wrap their connection's send with this, on both ends, so that their
 * delayed rows are comparable with everyone else's. A delay of 0 returns `send` itself.
 */
export function delayedSend<Message>(
  send: (message: Message) => void,
  delayMilliseconds: number,
): (message: Message) => void {
  if (delayMilliseconds <= 0) return send;
  return (message: Message): void => {
    setTimeout(() => send(message), delayMilliseconds);
  };
}

/** Wraps a link so that every message it sends leaves `delayMilliseconds` later (0: unchanged timing). */
export function delayLink<Message>(link: Link<Message>, delayMilliseconds: number): Link<Message> {
  const send = delayedSend((message: Message) => link.send(message), delayMilliseconds);
  return {
    send,
    onMessage: (receiver) => link.onMessage(receiver),
    onClose: (callback) => link.onClose(callback),
    close: () => link.close(),
  };
}

/**
 * The same network with a one-way delay added to every message in both directions (client ends and
 * server ends both delay what they send), so one round trip costs at least twice the delay. Every
 * adapter over `links/` gets its delay here, through `delayedSend`, identically. A delay of 0
 * returns the network unchanged.
 */
export function delayedNetwork<Message>(
  network: Network<Message>,
  delayMilliseconds: number,
): Network<Message> {
  if (delayMilliseconds <= 0) return network;
  return {
    transport: network.transport,
    async listen(accept) {
      const inner = await network.listen((link) => accept(delayLink(link, delayMilliseconds)));
      const listener: Listener<Message> = {
        connect: async () => delayLink(await inner.connect(), delayMilliseconds),
        close: () => inner.close(),
      };
      return listener;
    },
  };
}
