import { type Sequence, sequence } from '@msc/eventual';
import { describe, expect, test, vi } from 'vitest';
import { framedWithDescriptors, Named } from './fixtures/forged-descriptors.ts';
import { rawPeer } from './fixtures.ts';

/**
 * `maxStreams` bounds the streams open in a session, the peer's and this side's counted apart: a
 * peer opening more ends the session with `limit` (the descriptors of a frame are decoded before
 * its messages are read, so one frame could otherwise open any number), and this side sending more
 * fails the call or return that carries the stream.
 */

interface IStreams {
  /** Keeps a sequence the dialer sends: the listener's side is its sink. */
  hold(items: Sequence<number>): Promise<void>;
  /** A sequence nobody writes: the listener's side is its source. */
  open(): Sequence<number>;
}

class Streams implements IStreams {
  held: Sequence<number> | undefined;
  async hold(items: Sequence<number>) {
    this.held = items;
  }
  open() {
    return sequence<number>()[0];
  }
}

describe('maxStreams', () => {
  test('a message opening more streams than maxStreams ends the session with limit', async () => {
    const peer = rawPeer<IStreams>(new Streams(), { listener: { limits: { maxStreams: 4 } } });
    await peer.remote.whenResolved();
    // The dialer's ids (even), sequences whose consumer end the listener gets, in a field of a
    // Cancel for no call that nothing reads.
    const streams = Array.from({ length: 5 }, (_, k) => new Named(3, 1_000_000 + 2 * k, 0, 0));
    peer.connections[0].send(framedWithDescriptors([16, 999_999, 0, streams]));
    const reason = await peer.listener.closed;
    expect(reason).toMatchObject({ code: 'limit', limit: 'maxStreams', remote: false });
    expect(reason.message).toContain('the peer opened more than 4 streams (maxStreams)');
    expect(peer.listener.stats().streams).toBe(0);
    peer.remote[Symbol.dispose]();
  });

  test('streams that ended leave room: the peer may open more than maxStreams one after another', async () => {
    const streams = new Streams();
    const peer = rawPeer<IStreams>(streams, { listener: { limits: { maxStreams: 2 } } });
    for (let round = 0; round < 4; round++) {
      const [items, writer] = sequence<number>();
      await peer.remote.hold(items);
      writer.abort();
      await vi.waitFor(() => expect(peer.listener.stats().streams).toBe(0));
    }
    expect(peer.listener.isTerminated).toBe(false);
    peer.remote[Symbol.dispose]();
  });

  test('this side sending more streams than maxStreams fails the return that carries one', async () => {
    const peer = rawPeer<IStreams>(new Streams(), { listener: { limits: { maxStreams: 2 } } });
    const first = await peer.remote.open();
    const second = await peer.remote.open();
    await expect(peer.remote.open()).rejects.toThrow(/already has 2 streams open to the peer \(maxStreams\)/);
    expect(peer.listener.isTerminated).toBe(false);
    first.cancel();
    await vi.waitFor(() => expect(peer.listener.stats().streams).toBe(1));
    const third = await peer.remote.open(); // the cancelled stream left room
    second.cancel();
    third.cancel();
    peer.remote[Symbol.dispose]();
  });
});
