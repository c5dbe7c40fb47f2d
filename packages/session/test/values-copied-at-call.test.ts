import { type Proxy, proxy } from '@msc/eventual';
import type { Connection } from '@msc/transport';
import { memoryPair, messagePortPair } from '@msc/transport-memory';
import { expect, test } from 'vitest';
import { enableMessagePortValues, Session, unauthenticated } from '../src/index.ts';

enableMessagePortValues(); // opt-in (enable-message-port-values.ts)

// docs/ownership.md: plain data passed to a call is copied at the call. In values mode the structured
// clone happens at the end-of-turn flush, so the value form copies bytes, dates and buffers when the
// call is written; a change the caller makes later in the same turn is not sent, as with bytes.

interface IEcho {
  echo<T>(value: T): Promise<T>;
}
class Echo implements IEcho {
  async echo<T>(value: T): Promise<T> {
    return value;
  }
}

interface Sent {
  small: Uint8Array;
  large: Uint8Array;
  floats: Float64Array;
  buffer: ArrayBuffer;
  date: Date;
}

async function mutateAfterCall(pair: readonly [Connection, Connection]): Promise<(number | undefined)[]> {
  const authenticator = unauthenticated();
  const dialer = new Session({ connection: pair[0], role: 'dialer', authenticator });
  const listener = new Session({
    connection: pair[1],
    role: 'listener',
    authenticator,
    root: proxy<IEcho>(new Echo()) as Proxy<unknown>,
  });
  try {
    const remote = dialer.remoteRoot<IEcho>();
    await remote.echo(1); // established both ways
    const sent: Sent = {
      small: new Uint8Array([1, 2, 3]),
      large: new Uint8Array(70 * 1024).fill(1),
      floats: new Float64Array([1.5]),
      buffer: new Uint8Array([7]).buffer,
      date: new Date(0),
    };
    const pending = remote.echo(sent);
    // Same turn, after the call returned: none of this may reach the peer.
    sent.small[0] = 99;
    sent.large[0] = 99;
    sent.floats[0] = 99;
    new Uint8Array(sent.buffer)[0] = 99;
    sent.date.setTime(123456);
    const back = (await pending) as Sent;
    return [
      back.small[0],
      back.large[0],
      back.floats[0],
      new Uint8Array(back.buffer)[0],
      back.date.getTime(),
    ];
  } finally {
    await dialer.terminate('done');
    await listener.terminate('done');
  }
}

test('data passed to a call is copied at the call in values mode, as with bytes: later changes in the same turn are not sent', async () => {
  const bytes = await mutateAfterCall(memoryPair() as never);
  const values = await mutateAfterCall(messagePortPair() as never);
  expect(bytes).toEqual([1, 1, 1.5, 7, 0]);
  expect(values).toEqual(bytes);
});
