import { type Sequence, sequence } from '@msc/eventual';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { rawPeer } from './fixtures.ts';

/**
 * Hostile version-2 stream messages written raw on the dialer's connection, as a peer that does
 * not follow the protocol would: each ends the listener's session with `protocol` and a reason
 * naming what was wrong, and nothing is thrown out of a handler. The harness checks that both
 * sides' tables are empty afterwards (the session's end frees every stream).
 */

interface IStreams {
  /** An endless sequence: the listener's stream 1, a source on its side, never closed. */
  endless(): Sequence<number>;
  /** Keeps a sequence the dialer sends, with a window of 4 items: the listener's side is its sink. */
  hold(items: Sequence<number>): Promise<void>;
}

class Streams implements IStreams {
  held: Sequence<number> | undefined;
  endless() {
    const [items, writer] = sequence<number>();
    void (async () => {
      try {
        for (let index = 0; ; index++) {
          await writer.flush();
          writer.write(index);
        }
      } catch {}
    })();
    return items;
  }
  async hold(items: Sequence<number>) {
    items.capacity = 4;
    this.held = items;
  }
}

const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  expect(uncaught, 'nothing thrown out of a handler').toEqual([]);
});

describe('hostile stream messages (version 2)', () => {
  /** The listener is the source of stream 1 (an endless sequence the dialer reads one item of). */
  async function streaming() {
    const streams = new Streams();
    const peer = rawPeer<IStreams>(streams);
    const items = await peer.remote.endless();
    expect(await items.read()).toEqual({ done: false, value: 0 });
    expect(peer.listener.protocolVersion).toBe(5);
    return { ...peer, streams, items };
  }

  test('a StreamDelivered before the stream ended is a protocol violation', async () => {
    const { listener, send, remote } = await streaming();
    send([14, 1]);
    const reason = await listener.closed;
    expect(reason).toMatchObject({ code: 'protocol', remote: false });
    expect(reason.message).toContain('stream 1 was delivered before its end');
    remote[Symbol.dispose]();
  });

  test('a StreamDelivered for a stream the receiver is the sink of is a protocol violation', async () => {
    const { listener, send, remote } = await streaming();
    const [items, writer] = sequence<number>();
    await remote.hold(items); // the dialer's stream 0: the listener is its sink
    send([14, 0]);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('stream 0 is not a source here');
    writer.abort();
    remote[Symbol.dispose]();
  });

  test('a StreamDelivered after the peer cancelled the stream is a protocol violation', async () => {
    const { listener, send, remote } = await streaming();
    send([12, 1, null, 0]); // the peer cancels stream 1: it is gone on the listener's side
    send([14, 1]);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('stream 1 was delivered, but this side has no such stream');
    remote[Symbol.dispose]();
  });

  test('a StreamDelivered for a stream id never sent is a protocol violation', async () => {
    const { listener, send, remote } = await streaming();
    send([14, 99]);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain('stream 99 was delivered, but this side has no such stream');
    remote[Symbol.dispose]();
  });

  /**
   * The listener is the sink of the dialer's stream 0 with a window of 4 items, and its consumer
   * has cancelled; the dialer's side has seen the cancel. Items sent after that are dropped unread.
   */
  async function cancelledSink() {
    const streams = new Streams();
    const peer = rawPeer<IStreams>(streams);
    const [items, writer] = sequence<number>();
    await peer.remote.hold(items);
    expect(peer.listener.protocolVersion).toBe(5);
    await vi.waitFor(() => expect(writer.desiredSize).toBe(4)); // the listener's grant of 4 arrived
    streams.held!.cancel();
    await writer.whenEnded();
    expect(writer.cancelled).toBe(true); // the cancel arrived
    return { ...peer, writer };
  }

  test('items in flight to a cancelled sink, within the credit it granted, are dropped', async () => {
    const { send, remote } = await cancelledSink();
    send([9, 0, [1, 2]]);
    send([9, 0, [3, 4]]);
    send([11, 0, 0, null]); // the source's close: it sends nothing more
    expect(await remote.endless().then((items) => items.read())).toEqual({ done: false, value: 0 });
    remote[Symbol.dispose]();
  });

  test('items to a cancelled sink beyond the credit it granted are a protocol violation', async () => {
    const { listener, send, remote } = await cancelledSink();
    send([9, 0, [1, 2, 3]]);
    send([9, 0, [4, 5]]);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toContain(
      'stream 0 received 2 items after it ended here, with only 1 of credit granted',
    );
    remote[Symbol.dispose]();
  });

  test('a StreamCredit saying more was read than was sent is a protocol violation', async () => {
    const { listener, send, remote } = await streaming();
    // The window stays 64 (no growth), so all of this credit claims reads.
    send([10, 1, 1_000_000, 64, 64]);
    const reason = await listener.closed;
    expect(reason.code).toBe('protocol');
    expect(reason.message).toMatch(/stream 1: credit says \d+ items were read, but only \d+ were sent/);
    remote[Symbol.dispose]();
  });
});
