import { EventEmitter } from 'node:events';
import { deserialize, serialize } from 'node:v8';
import { type Connection, DialError, type Listener, type Transport } from '@msc/transport';
import { type IpcChannelLike, ipcConnection } from '../src/index.ts';

/**
 * One end of an in-process stand-in for a Node IPC channel with `serialization: 'advanced'`: messages are copied
 * with the v8 serializer, delivered in a later macrotask in order, the send callback runs once the message is
 * "written", and `disconnect()` closes both ends with a `'disconnect'` event. It lets the transport compliance
 * suite (which needs both ends in one process) exercise `ipcConnection()`; real child processes are tested
 * separately.
 */
class FakeIpcEnd extends EventEmitter implements IpcChannelLike {
  connected = true;
  peer!: FakeIpcEnd;

  send(message: unknown, callback: (error: Error | null) => void): boolean {
    if (!this.connected) {
      process.nextTick(callback, new Error('channel closed'));
      return false;
    }
    const copy = deserialize(serialize(message));
    setImmediate(() => {
      if (this.peer.connected) this.peer.emit('message', copy);
      callback(null);
    });
    return true;
  }

  disconnect(): void {
    for (const end of [this, this.peer]) {
      if (!end.connected) continue;
      end.connected = false;
      setImmediate(() => end.emit('disconnect'));
    }
  }
}

/** Two connected fake IPC channel ends. */
export function fakeIpcChannelPair(): [FakeIpcEnd, FakeIpcEnd] {
  const left = new FakeIpcEnd();
  const right = new FakeIpcEnd();
  left.peer = right;
  right.peer = left;
  return [left, right];
}

/**
 * A transport whose connections are `ipcConnection()`s over fake IPC channel pairs, named `ipc-test:<n>`: just
 * enough dial/listen for the compliance suite. The channel is disconnected once both connections ended (as a
 * process exit would).
 */
export function fakeIpcTransport(): Transport {
  const listeners = new Map<string, (connection: Connection) => void>();
  let next = 0;
  return {
    name: 'ipc-test',
    async dial(address, options) {
      if (options?.signal?.aborted)
        throw new DialError('aborted', address, 'expected to dial, but the signal was aborted');
      const accept = listeners.get(address);
      if (accept === undefined)
        throw new DialError('refused', address, `expected a listener at ${address}, but none`);
      const [left, right] = fakeIpcChannelPair();
      const dialed = ipcConnection(left, { localAddress: `${address}#dialer`, remoteAddress: address });
      const accepted = ipcConnection(right, { localAddress: address, remoteAddress: `${address}#dialer` });
      void Promise.all([dialed.closed, accepted.closed]).then(() => left.disconnect());
      setImmediate(() => accept(accepted));
      return dialed;
    },
    async listen(address, onConnection, options) {
      const name = address === 'ipc-test:' ? `ipc-test:${++next}` : address;
      listeners.set(name, onConnection);
      let resolveClosed!: () => void;
      const closed = new Promise<void>((resolve) => {
        resolveClosed = resolve;
      });
      const listener: Listener = {
        address: name,
        closed,
        close: async () => {
          listeners.delete(name);
          resolveClosed();
        },
      };
      options?.signal?.addEventListener('abort', () => void listener.close(), { once: true });
      return listener;
    },
  };
}
