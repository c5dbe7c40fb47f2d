import { type Bytes, bytes, type Sequence, sequence } from '@msc/eventual';
import { describe, expect, test, vi } from 'vitest';
import { rawPeer } from './fixtures.ts';

/**
 * What a sink holds for the peer's stream stays within its credit: an empty byte chunk (no credit
 * used, so any number of them would queue) ends the session with `protocol`, and a chunk small
 * next to the frame it arrived in is copied out, so that it does not keep the whole frame alive.
 * The raw peer writes on the dialer's connection behind the dialer session's back (rawPeer).
 */

interface IUploads {
  /** Keeps a byte stream the dialer sends: the listener's side is its sink (the dialer's stream 0). */
  take(data: Bytes): Promise<void>;
  /** Keeps a sequence the dialer sends, the same way. */
  takeItems(items: Sequence<unknown>): Promise<void>;
}

class Uploads implements IUploads {
  held: Bytes | undefined;
  heldItems: Sequence<unknown> | undefined;
  async take(data: Bytes) {
    this.held = data;
  }
  async takeItems(items: Sequence<unknown>) {
    this.heldItems = items;
  }
}

/** The listener is the sink of the dialer's byte stream 0, and its window was granted. */
async function byteSink() {
  const uploads = new Uploads();
  const peer = rawPeer<IUploads>(uploads);
  const [data, writer] = bytes();
  await peer.remote.take(data);
  await vi.waitFor(() => expect(writer.desiredSize).toBeGreaterThan(0)); // the grant arrived
  return { ...peer, uploads, writer };
}

/** 1 MiB of padding in a field `StreamItems` does not read: the frame is that large. */
const padding = () => new Uint8Array(1 << 20);

describe('what a stream sink holds', () => {
  test('an empty byte chunk ends the session with protocol', async () => {
    const { listener, send, remote, writer } = await byteSink();
    send([9, 0, new Uint8Array(0)]);
    await vi.waitFor(() => expect(listener.isTerminated).toBe(true));
    const reason = await listener.closed;
    expect(reason).toMatchObject({ code: 'protocol', remote: false });
    expect(reason.message).toContain('stream 0 sent an empty byte chunk');
    writer.abort();
    remote[Symbol.dispose]();
  });

  test('a 1-byte chunk in a 1 MiB frame does not keep the frame', async () => {
    const { listener, send, remote, uploads, writer } = await byteSink();
    send([9, 0, Uint8Array.of(7), padding()]);
    const chunk = await uploads.held!.read();
    expect(chunk.value).toEqual(Uint8Array.of(7));
    expect(chunk.value!.buffer.byteLength).toBeLessThan(1024);
    expect(listener.isTerminated).toBe(false);
    writer.abort();
    remote[Symbol.dispose]();
  });

  test('a byte array that is a sequence item, in a 1 MiB frame, does not keep the frame', async () => {
    const uploads = new Uploads();
    const { listener, send, remote } = rawPeer<IUploads>(uploads);
    const [items, writer] = sequence<unknown>();
    await remote.takeItems(items);
    await vi.waitFor(() => expect(writer.desiredSize).toBeGreaterThan(0));
    send([9, 0, [Uint8Array.of(7)], padding()]);
    const item = await uploads.heldItems!.read();
    expect(item.value).toEqual(Uint8Array.of(7));
    expect((item.value as Uint8Array).buffer.byteLength).toBeLessThan(1024);
    expect(listener.isTerminated).toBe(false);
    writer.abort();
    remote[Symbol.dispose]();
  });
});
