/**
 * The server side of every capnweb row: the root and counter targets, and capnweb's transport over a
 * link. Used in this thread (`capnweb.ts`) and in a worker thread (`../threads/capnweb-server.thread.ts`).
 */
import { RpcTarget, type RpcTransportWithCustomEncoding } from 'capnweb';
import type { Item } from '../adapter.ts';
import type { Link } from '../links/link.ts';
import { byteStreamChunks, Counter, sequenceItem, service } from '../service.ts';
import { LinkPump } from './link-pump.ts';

/** The counter as a capnweb capability. */
class CounterTarget extends RpcTarget {
  readonly #counter = new Counter();
  inc(): number {
    return this.#counter.inc();
  }
}

/** The root object the server exports. */
export class RootTarget extends RpcTarget {
  add(a: number, b: number): number {
    return service.add(a, b);
  }
  getCounter(): CounterTarget {
    return new CounterTarget();
  }
  echoBytes(bytes: Uint8Array): Uint8Array {
    return bytes;
  }
  echoItems(items: Item[]): Item[] {
    return items;
  }
  sequence(count: number): ReadableStream<Item> {
    let index = 0;
    return new ReadableStream<Item>({
      pull(controller) {
        if (index >= count) controller.close();
        else controller.enqueue(sequenceItem(index++));
      },
    });
  }
  byteStream(totalBytes: number, chunkBytes: number): ReadableStream<Uint8Array> {
    const chunks = byteStreamChunks(totalBytes, chunkBytes);
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.next();
        // The shared chunk itself, as the floors and @msc send it: it never changes, so capnweb may
        // hold it as long as it likes.
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
    });
  }
}

/** Which of capnweb's encodings the transport uses. */
export type Encoding = 'structuredClonable' | 'string';

/** A capnweb transport over a link; `string` encoding is declared by leaving `encodingLevel` out. */
export function linkTransport<Message>(
  link: Link<Message>,
  encoding: Encoding,
): RpcTransportWithCustomEncoding {
  const pump = new LinkPump(link);
  const transport = {
    send(message: unknown): void {
      link.send(message as Message);
    },
    receive: () => pump.receive() as Promise<unknown>,
    abort(): void {
      link.close();
    },
  };
  if (encoding === 'structuredClonable') return { encodingLevel: 'structuredClonable', ...transport };
  // capnweb treats a transport without `encodingLevel` as string-encoded (JSON text).
  return transport as unknown as RpcTransportWithCustomEncoding;
}
