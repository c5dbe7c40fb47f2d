// Local proxy calls against direct async calls, and local streaming throughput.
// Run: npx pnpm@10.34.8 --filter @msc/eventual bench
import { bench, describe } from 'vitest';
import { bytes, proxy, sequence } from '../src/index.ts';

class Target {
  async add(a: number, b: number): Promise<number> {
    return a + b;
  }
}
const direct = new Target();
const remote = proxy(new Target());
const calls = 1000;

describe('1,000 sequential calls', () => {
  bench('direct await target.add()', async () => {
    for (let index = 0; index < calls; index++) await direct.add(index, 1);
  });
  bench('local proxy await proxy.add()', async () => {
    for (let index = 0; index < calls; index++) await remote.add(index, 1);
  });
});

describe('1,000 calls in flight', () => {
  bench('direct target.add()', async () => {
    const pending: Promise<number>[] = [];
    for (let index = 0; index < calls; index++) pending.push(direct.add(index, 1));
    await Promise.all(pending);
  });
  bench('local proxy proxy.add()', async () => {
    const pending: Promise<number>[] = [];
    for (let index = 0; index < calls; index++) pending.push(remote.add(index, 1));
    await Promise.all(pending);
  });
});

describe('streaming 100,000 items / 64 MiB', () => {
  bench('Sequence<number>: 100,000 items', async () => {
    const [items, writer] = sequence<number>({ capacity: 1024 });
    const producing = (async () => {
      for (let index = 0; index < 100_000; index++) {
        writer.write(index);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })();
    for await (const _item of items);
    await producing;
  });
  bench('Bytes: 64 MiB in 64 KiB chunks', async () => {
    const [stream, writer] = bytes({ capacity: 1024 * 1024 });
    const chunk = new Uint8Array(64 * 1024);
    const producing = (async () => {
      for (let index = 0; index < 1024; index++) {
        writer.write(chunk);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })();
    for await (const _chunk of stream);
    await producing;
  });
});
