import { type CloseReason, type Connection, FrameTooLargeError } from '@msc/transport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tcp } from '../src/index.ts';
import { eventually, sleep } from './fixtures/eventually.ts';
import { heldMemory } from './fixtures/held-memory.ts';
import { pingWord, rawClient, wireFrame, word } from './fixtures/raw-peer.ts';
import { recordingListener } from './fixtures/recording-listener.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Listens on 127.0.0.1 with `options`; every accepted connection gets a recorder (and `prepare` first). */
async function listening(
  options: Parameters<typeof tcp>[0] = {},
  prepare?: (connection: Connection) => void,
) {
  const { accepted, listener, close } = await recordingListener(tcp(options), 'tcp:127.0.0.1:0', prepare);
  cleanups.push(close);
  return { accepted, port: Number(listener.address.split(':').pop()) };
}

async function client(port: number) {
  const peer = await rawClient(port);
  cleanups.push(() => peer.socket.destroy());
  return { ...peer, port: peer.socket.localPort! };
}

/** The accepted side of the raw client whose local port is `port`. */
function acceptedFrom<T extends { connection: Connection }>(accepted: T[], port: number): T {
  return accepted.find(({ connection }) => connection.remoteAddress.endsWith(`:${port}`))!;
}

describe('tcp output budget (maxBufferedBytes)', () => {
  it('a client that sends ping words and never reads is ended with "limit", and the server holds little for it', async () => {
    const { accepted, port } = await listening({ maxBufferedBytes: 1024 * 1024 });
    const attacker = await client(port);
    attacker.socket.pause(); // never reads what the server sends
    await eventually(() => accepted.length === 1, 'the server to accept');
    const server = accepted[0]!.connection;
    let ended: CloseReason | undefined;
    void server.closed.then((reason) => {
      ended = reason;
    });
    const before = heldMemory();
    let peak = 0;
    const pings = Buffer.concat(Array.from({ length: 16 * 1024 }, () => word(pingWord))); // 64 KiB of pings
    const deadline = Date.now() + 10_000;
    while (ended === undefined && !attacker.socket.destroyed && Date.now() < deadline) {
      // The attacker keeps its own side bounded: it writes only what its socket has taken.
      if (attacker.socket.writableLength < 1024 * 1024) attacker.socket.write(pings);
      peak = Math.max(peak, server.bufferedBytes);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(() => ended !== undefined, 'the server to end the attacker', 2_000);
    expect(ended).toMatchObject({ code: 'limit', remote: false });
    expect(ended!.message).toContain('maxBufferedBytes');
    // What the server held for the attacker stayed near the budget, not one write per ping.
    expect(peak).toBeLessThan(2 * 1024 * 1024);
    expect(heldMemory() - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('a client that pings and reads keeps its connection, and gets its pongs', async () => {
    const { accepted, port } = await listening({ maxBufferedBytes: 64 * 1024 });
    const peer = await client(port);
    for (let round = 0; round < 20; round++) {
      peer.socket.write(Buffer.concat(Array.from({ length: 100 }, () => word(pingWord))));
      await sleep(5);
    }
    await eventually(() => peer.received().byteLength >= 4, 'a pong');
    expect(accepted[0]!.frames.closedReasons).toEqual([]);
  });
});

describe('tcp receive buffers and the per-connection frame cap', () => {
  it('a 5-byte frame header holds only what arrived, not the length it declares', async () => {
    const { accepted, port } = await listening();
    const before = process.memoryUsage().arrayBuffers;
    const peers = [];
    for (let index = 0; index < 16; index++) {
      const peer = await client(port);
      // A header declaring 16 MiB − 1 bytes, then one byte of it.
      peer.socket.write(Buffer.concat([word(16 * 1024 * 1024 - 1), Buffer.of(1)]));
      peers.push(peer);
    }
    await eventually(() => accepted.length === 16, 'sixteen connections');
    await sleep(100);
    // Reserving the declared length would hold 16 × 16 MiB = 256 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    expect(accepted.every(({ frames }) => frames.closedReasons.length === 0)).toBe(true);
  });

  it('a frame split across many chunks arrives whole, byte for byte', async () => {
    const { accepted, port } = await listening();
    const peer = await client(port);
    const payload = Uint8Array.from({ length: 300_000 }, (_, index) => index % 251);
    const wire = wireFrame(payload);
    for (let offset = 0; offset < wire.byteLength; offset += 70_000) {
      peer.socket.write(wire.subarray(offset, offset + 70_000));
      await sleep(2);
    }
    await eventually(() => (accepted[0]?.frames.frames.length ?? 0) === 1, 'the frame');
    expect(Buffer.from(accepted[0]!.frames.frames[0]!).equals(Buffer.from(payload))).toBe(true);
  });

  it('setMaxFrameBytes() lowers the cap per connection: a longer length prefix ends it with "protocol" at once', async () => {
    const { accepted, port } = await listening({}, (connection) => connection.setMaxFrameBytes(1024));
    const small = await client(port);
    const large = await client(port);
    await eventually(() => accepted.length === 2, 'two connections');
    small.socket.write(wireFrame(new Uint8Array(1000)));
    large.socket.write(word(2048)); // the header alone is enough
    await large.ended;
    const byAddress = (peer: { port: number }) => acceptedFrom(accepted, peer.port);
    expect(await byAddress(large).frames.untilClosed(5_000)).toMatchObject({
      code: 'protocol',
      remote: true,
    });
    await eventually(() => byAddress(small).frames.frames.length === 1, 'the small frame');
    const connection = byAddress(small).connection;
    expect(connection.maxFrameBytes).toBe(1024);
    expect(() => connection.send(new Uint8Array(1025))).toThrow(FrameTooLargeError);
    expect(() => connection.setMaxFrameBytes(16 * 1024 * 1024 + 1)).toThrow(RangeError);
    expect(() => connection.setMaxFrameBytes(1.5)).toThrow(
      `expected maxFrameBytes to be a whole number from 0 to ${16 * 1024 * 1024}, got 1.5`,
    );
    connection.setMaxFrameBytes(4096); // raised again, up to the transport's own cap
    small.socket.write(wireFrame(new Uint8Array(3000)));
    await eventually(() => byAddress(small).frames.frames.length === 2, 'the larger frame');
  });

  it('a receive buffer that cannot be allocated ends only that connection, with "limit"', async () => {
    const { accepted, port } = await listening();
    const victim = await client(port);
    const bystander = await client(port);
    await eventually(() => accepted.length === 2, 'two connections');
    const declared = 200_000;
    const allocate = Buffer.allocUnsafeSlow;
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((size: number) => {
      if (size === declared) throw new RangeError('Array buffer allocation failed');
      return allocate(size);
    });
    const wire = wireFrame(new Uint8Array(declared));
    victim.socket.write(wire.subarray(0, 1000));
    await sleep(20);
    victim.socket.write(wire.subarray(1000));
    await victim.ended;
    const victimSide = acceptedFrom(accepted, victim.port);
    const reason = await victimSide.frames.untilClosed(5_000);
    expect(reason).toMatchObject({ code: 'limit', remote: false });
    expect(reason.message).toContain(
      `expected to allocate ${declared} bytes for an arriving frame, but the allocation failed (`,
    );
    bystander.socket.write(wireFrame(Uint8Array.of(7)));
    const bystanderSide = accepted.find((entry) => entry !== victimSide)!;
    await eventually(() => bystanderSide.frames.frames.length === 1, 'the bystander frame');
    expect(bystanderSide.frames.closedReasons).toEqual([]);
  });
});
