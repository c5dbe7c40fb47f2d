import { expect, test } from 'vitest';
import { tracedPortSessions } from './fixtures/traced-port-sessions.ts';

// Values mode is opt-in (enable-message-port-values.ts): a program that never calls
// enableMessagePortValues() keeps its sessions over a MessageChannel on CBOR bytes, since a turn of many
// small messages clones more slowly as one values frame than as one CBOR frame. This file never
// enables it (vitest runs each file in a fresh module graph).

interface IEcho {
  echo<T>(value: T): Promise<T>;
}
class Echo implements IEcho {
  async echo<T>(value: T): Promise<T> {
    return value;
  }
}

test('without enableMessagePortValues(), sessions over a MessageChannel stay on bytes', async () => {
  const { dialer, listener, sink, remote } = tracedPortSessions<IEcho>(new Echo());
  try {
    expect(await remote.echo('first')).toBe('first');
    sink.events.length = 0;
    expect(await remote.echo({ bytes: new Uint8Array(70 * 1024) })).toEqual({
      bytes: new Uint8Array(70 * 1024),
    });
    const calls = sink.events.filter((event) => event.type === 'Call' && event.direction === 'out');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.payload).toBeInstanceOf(Uint8Array); // CBOR bytes, not a value form
    remote[Symbol.dispose]();
  } finally {
    await dialer.terminate('done');
    await listener.terminate('done');
  }
});
