import { type Bytes, bytes, bytesToReadableStream, type Proxy, proxy } from '@msc/eventual';
import { Scope, unauthenticated } from '@msc/session';
import type { Transport } from '@msc/transport';
import { memory } from '@msc/transport-memory';
import { afterEach, describe, expect, test } from 'vitest';
import { tcp } from '../src/index.ts';

/** A remote file store: one method returns the stream itself, one returns a promise of it. */
interface IStore {
  download(size: number): Bytes;
  downloadLater(size: number): Promise<Bytes>;
}

class Store implements IStore {
  download(size: number): Bytes {
    const [data, writer] = bytes();
    void (async () => {
      const chunk = new Uint8Array(16 * 1024);
      for (let sent = 0; sent < size; sent += chunk.byteLength) {
        const length = Math.min(chunk.byteLength, size - sent);
        // Each byte is its offset modulo 251, so a reordered or dropped chunk shows.
        for (let index = 0; index < length; index++) chunk[index] = (sent + index) % 251;
        writer.write(chunk.slice(0, length));
        await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return data;
  }
  async downloadLater(size: number): Promise<Bytes> {
    return this.download(size);
  }
}

/** Reads a web stream to the end; checks every byte against its offset. */
async function readChecked(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let offset = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return offset;
    for (const byte of value) {
      if (byte !== offset % 251) throw new Error(`byte ${offset} is ${byte}, expected ${offset % 251}`);
      offset++;
    }
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const transports: { name: string; transport: () => Transport; address: string }[] = [
  { name: 'memory', transport: () => memory(), address: 'memory:' },
  { name: 'TCP', transport: () => tcp(), address: 'tcp:127.0.0.1:0' },
];

describe.each(transports)('a method returning Bytes over $name', ({ transport, address }) => {
  async function connect(): Promise<Proxy<IStore>> {
    const root = proxy<IStore>(new Store());
    const server = new Scope({ transport: transport(), authenticator: unauthenticated(), root });
    root[Symbol.dispose]();
    cleanups.push(() => server.close());
    const listener = await server.listen(address);
    const client = new Scope({ transport: transport(), authenticator: unauthenticated() });
    cleanups.push(() => client.close());
    return client.connect<IStore>(listener.address);
  }

  test('bytesToReadableStream(await store.download(n)) reads every byte in order', async () => {
    using store = await connect();
    const size = 200 * 1024 + 17;
    expect(await readChecked(bytesToReadableStream(await store.download(size)))).toBe(size);
    expect(await readChecked(bytesToReadableStream(await store.downloadLater(size)))).toBe(size);
  });

  test('the awaited result is a Bytes: readExactly splits across chunks', async () => {
    using store = await connect();
    const download = await store.downloadLater(40 * 1024);
    const first = await download.readExactly(20 * 1024 + 3);
    expect(first.byteLength).toBe(20 * 1024 + 3);
    expect(first[20 * 1024 + 2]).toBe((20 * 1024 + 2) % 251);
    download.cancel();
  });

  test('the call result itself is iterable, with the window set before the stream arrives', async () => {
    using store = await connect();
    const result = store.downloadLater(64 * 1024);
    result.capacity = 8 * 1024;
    let total = 0;
    for await (const chunk of result) {
      expect(chunk.byteLength).toBeLessThanOrEqual(8 * 1024);
      total += chunk.byteLength;
    }
    expect(total).toBe(64 * 1024);
  });
});
