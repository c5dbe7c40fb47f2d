/**
 * The client side of every @msc row: the workload calls made on a remote `IBenchRoot`, whatever
 * carries the session (a MessageChannel, TCP, WebSocket, a worker SIP).
 */
import type { Proxy } from '@msc/eventual';
import type { Session } from '@msc/session';
import type { Connection, Item } from '../adapter.ts';
import type { IBenchRoot } from './msc-bench-root.ts';

/**
 * The workload `Connection` over `remote`. Pipelining is native (`getCounter().inc()` is sent without
 * awaiting the counter); streams are read with a window of 1,024 items or 1 MiB. `close` ends the
 * session and is called once by the harness. `sides` names the sessions whose tables the harness
 * checks after each workload (absent where a side lives in another thread).
 */
export function mscConnection(
  remote: Proxy<IBenchRoot>,
  close: () => Promise<void>,
  sides?: () => Readonly<Record<string, Iterable<Session>>>,
): Connection {
  return {
    ...(sides === undefined ? {} : { tables: () => sessionTables(sides()) }),
    add: (a, b) => remote.add(a, b),
    async incrementNewCounter() {
      using counter = remote.getCounter();
      return await counter.inc();
    },
    echoBytes: (data) => remote.echoBytes(data),
    echoItems: (items) => remote.echoItems(items as Item[]),
    async readSequence(count) {
      const items = remote.sequence(count);
      items.capacity = 1024;
      items.batchSize = 256;
      let received = 0;
      for await (const _item of items) received++;
      return received;
    },
    async readByteStream(totalBytes, chunkBytes) {
      const stream = remote.byteStream(totalBytes, chunkBytes);
      stream.capacity = 1024 * 1024;
      stream.batchSize = 256 * 1024;
      let received = 0;
      for await (const chunk of stream) received += chunk.byteLength;
      return received;
    },
    close,
  };
}

/**
 * The table sizes of each side's sessions (`Session.stats()`), summed per side, as
 * `client.questions`, `server.exports`, ….
 */
export function sessionTables(sides: Readonly<Record<string, Iterable<Session>>>): Record<string, number> {
  const tables: Record<string, number> = {};
  for (const [side, sessions] of Object.entries(sides)) {
    for (const session of sessions) {
      for (const [table, size] of Object.entries(session.stats())) {
        tables[`${side}.${table}`] = (tables[`${side}.${table}`] ?? 0) + size;
      }
    }
  }
  return tables;
}
