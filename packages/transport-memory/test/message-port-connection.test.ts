import { MessageChannel } from 'node:worker_threads';
import { FrameRecorder } from '@msc/transport/compliance';
import { describe, expect, it } from 'vitest';
import {
  MemoryRegistry,
  messagePortConnection,
  messagePortPair,
  messagePortTransport,
} from '../src/index.ts';
import { connectionWithRawPeer } from './fixtures/raw-peer.ts';

describe('messagePortConnection()', () => {
  it('asks for early sends when its other end is meant for another thread, not when both ends start in this one', async () => {
    const channel = new MessageChannel();
    const toThread = messagePortConnection(channel.port1);
    const declined = messagePortConnection(channel.port2, { sendEarly: false });
    expect([toThread.sendEarly, declined.sendEarly]).toEqual([true, false]);
    toThread.abort();
    declined.abort();
    const pair = messagePortPair();
    expect(pair.map((end) => end.sendEarly)).toEqual([false, false]);
    const asked = messagePortPair({ sendEarly: true });
    expect(asked.map((end) => end.sendEarly)).toEqual([true, true]);
    for (const end of [...pair, ...asked]) end.abort();
    const registry = new MemoryRegistry();
    const transport = messagePortTransport({ registry });
    const accepted: boolean[] = [];
    const listener = await transport.listen('message-port:early', (connection) => {
      accepted.push(connection.sendEarly === true);
      connection.abort();
    });
    const dialed = await transport.dial('message-port:early');
    expect([dialed.sendEarly, ...accepted]).toEqual([false, false]);
    dialed.abort();
    await listener.close();
  });

  it('bufferedBytes holds until the peer delivers, then the acknowledgements bring it back to 0', async () => {
    const [left, right] = messagePortPair({ lowWaterMarkBytes: 1024 });
    left.start(new FrameRecorder());
    for (let index = 0; index < 10; index++) left.send(new Uint8Array(1000));
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The peer has not started, so nothing was delivered and nothing acknowledged.
    expect(left.bufferedBytes).toBe(10_000);
    let drained = false;
    const whenDrained = left.whenDrained().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(drained).toBe(false);
    const frames = new FrameRecorder();
    right.start(frames);
    await whenDrained;
    await frames.untilFrames(10);
    expect(left.bufferedBytes).toBeLessThanOrEqual(1024);
    await left.close();
  });

  it('close() carries its code and message to the peer', async () => {
    const [left, right] = messagePortPair();
    const frames = new FrameRecorder();
    left.start(new FrameRecorder());
    right.start(frames);
    await left.close({ code: 'protocol', message: 'unsupported version' });
    expect(await frames.untilClosed()).toEqual({
      code: 'protocol',
      message: 'unsupported version',
      remote: true,
    });
  });

  it('both sides closing at once both end with "normal"', async () => {
    const [left, right] = messagePortPair();
    left.start(new FrameRecorder());
    right.start(new FrameRecorder());
    left.send(Uint8Array.of(1));
    right.send(Uint8Array.of(2));
    await Promise.all([left.close(), right.close()]);
    expect(await left.closed).toMatchObject({ code: 'normal', remote: false });
    expect(await right.closed).toMatchObject({ code: 'normal', remote: false });
  });

  it('a peer port closed without the protocol is reported as "error", remote', async () => {
    const channel = new MessageChannel();
    const connection = messagePortConnection(channel.port1);
    const frames = new FrameRecorder();
    connection.start(frames);
    channel.port2.postMessage(Uint8Array.of(9));
    channel.port2.close();
    const reason = await frames.untilClosed();
    expect(reason).toMatchObject({ code: 'error', remote: true });
    expect(frames.frames.map((frame) => Array.from(frame))).toEqual([[9]]);
  });

  it('a message that is neither a frame nor a control message closes the connection with "protocol"', async () => {
    const { frames, peer, received: peerMessages } = connectionWithRawPeer();
    peer.postMessage(42);
    const reason = await frames.untilClosed();
    expect(reason).toMatchObject({ code: 'protocol', remote: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The peer is told why, in-band, before the port closes (after the connection's opening acknowledgement).
    expect(peerMessages).toEqual([
      { msc: 'ack', bytes: 0, strings: true },
      expect.objectContaining({ msc: 'abort' }),
    ]);
  });

  it('a graceful close the peer never answers ends with "timeout"', async () => {
    const channel = new MessageChannel();
    const connection = messagePortConnection(channel.port1, { closeTimeoutMs: 50 });
    connection.start(new FrameRecorder());
    channel.port2.on('message', () => {}); // a peer that reads but never speaks the protocol
    await connection.close();
    expect(await connection.closed).toMatchObject({ code: 'timeout', remote: false });
    channel.port2.close();
  });
});
