import { AbortedError, type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';
import { memoryPair } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { defaultSessionLimits, enableStreams, Session, unauthenticated } from '../src/index.ts';
import { createStreamPart, installStreamPart } from '../src/stream-part.ts';
import { MessageType, StreamEnding } from '../src/wire/protocol.ts';
import { served } from './harness.ts';

// The browser entry leaves the stream part out (stream-part.ts); a program that meets a stream
// without `enableStreams()` must be told that, not see a stream that never moves.

interface ICounter {
  count(to: number): Sequence<number>;
  sum(items: Sequence<number>): Promise<number>;
  ping(): Promise<string>;
}

class Counter implements ICounter {
  count(to: number) {
    const [items, writer] = sequence<number>();
    for (let index = 0; index < to; index++) writer.write(index);
    void writer.close();
    return items;
  }
  async sum(items: Sequence<number>) {
    let total = 0;
    for await (const item of items) total += item;
    return total;
  }
  async ping() {
    return 'pong';
  }
}

afterEach(() => {
  enableStreams(); // the package's own entry enables them; every other test file expects them
});

describe('a session started without enableStreams()', () => {
  test('sending a stream fails that call with an error naming enableStreams(), and the stream is aborted', async () => {
    installStreamPart(undefined);
    const { remote } = served<ICounter>(new Counter());
    const [items, writer] = sequence<number>();
    await expect(remote.sum(items)).rejects.toThrow(
      /cannot send a stream: .*enableStreams\(\) from '@msc\/session'/,
    );
    // The call never left: the producer is told its stream went nowhere.
    expect(() => writer.write(1)).toThrow(AbortedError);
    // The session goes on.
    expect(await remote.ping()).toBe('pong');
  });

  test('a stream result the listener cannot send reaches the caller as an error naming enableStreams()', async () => {
    installStreamPart(undefined);
    const { remote } = served<ICounter>(new Counter());
    await expect(remote.count(3)).rejects.toThrow(/enableStreams\(\)/);
    expect(await remote.ping()).toBe('pong');
  });

  test('a stream arriving from a peer that has streams ends the session with the fix in its reason', async () => {
    const [dialerConnection, listenerConnection] = memoryPair();
    const authenticator = unauthenticated();
    installStreamPart(undefined);
    const dialer = new Session({ connection: dialerConnection, role: 'dialer', authenticator });
    enableStreams();
    const listener = new Session({
      connection: listenerConnection,
      role: 'listener',
      authenticator,
      root: proxy<ICounter>(new Counter()) as Proxy<unknown>,
    });
    const remote = dialer.remoteRoot<ICounter>();
    const result = remote.count(3);
    await expect(result).rejects.toThrow(AbortedError);
    await expect(result).rejects.toThrow(/the peer sent a stream, but streams not enabled/);
    const reason = await dialer.closed;
    expect(reason).toMatchObject({ step: 'session', code: 'protocol', remote: false });
    expect(reason.message).toContain("call enableStreams() from '@msc/session'");
    // The peer is told why.
    expect(await listener.closed).toMatchObject({ code: 'protocol', remote: true });
    remote[Symbol.dispose]();
  });

  test('a stream message, when no stream ever crossed the session, is forged: the part refuses it naming enableStreams()', () => {
    installStreamPart(undefined);
    const sent: unknown[][] = [];
    const part = createStreamPart(
      {
        send: (message) => sent.push(message),
        sendWithError_: (message) => sent.push(message),
        whenWritable: () => undefined,
      },
      'dialer',
      defaultSessionLimits,
      () => 2,
    );
    const says = /the peer sent a stream, but streams not enabled.*enableStreams\(\)/;
    expect(() => part.receive_([MessageType.StreamItems, 1, [1, 2]])).toThrow(says);
    expect(() => part.receive_([MessageType.StreamCredit, 1, 5, 8, 8])).toThrow(says);
    expect(() => part.receive_([MessageType.StreamEnd, 1, StreamEnding.Close, null])).toThrow(says);
    expect(() => part.receive_([MessageType.StreamCancel, 1, null])).toThrow(says);
    expect(() => part.receive_([MessageType.StreamDelivered, 1])).toThrow(says);
    part.abortAll_(new AbortedError('ended'));
    expect(part.size).toBe(0);
    expect(sent).toEqual([]);
  });
});
