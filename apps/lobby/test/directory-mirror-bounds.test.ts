import { Identity } from '@msc/identity';
import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { gameEntryText, nodeRecordTail } from '../src/cluster/directory-entry.ts';
import { directoryKeys } from '../src/cluster/directory-keys.ts';
import { DirectoryMirror, snapshotPage } from '../src/cluster/directory-mirror.ts';
import { defaultSettings } from '../src/settings.ts';
import { startRedis } from './redis-process.ts';

/*
 * What the directory's Redis holds is not trusted to be small: a runaway node (or a hostile writer)
 * can fill its hashes. The mirror reads its snapshot a page at a time and keeps at most maxGames
 * games and maxNodes node records, so memory and time are bounded by the limits, not by Redis.
 */

const keys = directoryKeys('test:bounds:');

async function fill(redis: Redis, games: number, nodes: number): Promise<void> {
  const identity = await Identity.generate({ name: 'filler' });
  for (let start = 0; start < games; start += 5_000) {
    const batch = redis.pipeline();
    for (let index = start; index < Math.min(games, start + 5_000); index++) {
      const id = `g${index + 1}.b`;
      const summary = {
        id,
        name: `game ${index}`,
        createdBy: 'bot',
        lsn: 0,
        settings: defaultSettings,
        openSlots: [1],
      };
      batch.hset(keys.games, id, gameEntryText(summary, 'b', 1));
    }
    await batch.exec();
  }
  const batch = redis.pipeline();
  for (let index = 0; index < nodes; index++) {
    const name = `n${index}`;
    const tail = nodeRecordTail({
      name,
      address: 'tcp:127.0.0.1:7000',
      fingerprint: identity.fingerprint,
      publicKey: identity.publicIdentity.publicKeyText,
    });
    batch.hset(keys.nodes, name, `{"epoch":1,${tail}`);
  }
  await batch.exec();
}

/**
 * A redis-server of the test's own, a writer and a reader connection (the reader's HSCAN calls
 * counted by `pages()`); both connections are closed after `run`.
 */
async function withDirectory(
  run: (directory: { writer: Redis; reader: Redis; pages: () => number }) => Promise<void>,
): Promise<void> {
  const redis = await startRedis();
  const writer = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const reader = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  let pages = 0;
  const hscan = reader.hscan.bind(reader);
  reader.hscan = ((...args: Parameters<typeof hscan>) => {
    pages++;
    return hscan(...args);
  }) as typeof reader.hscan;
  try {
    await run({ writer, reader, pages: () => pages });
  } finally {
    writer.disconnect();
    reader.disconnect();
  }
}

describe('a directory larger than the mirror may hold', { timeout: 60_000 }, () => {
  test('50,000 games and 3,000 node records: the mirror keeps 1,000 and 100, reading a few pages', async () => {
    await withDirectory(async ({ writer, reader, pages }) => {
      await fill(writer, 50_000, 3_000);
      expect(await writer.hlen(keys.games)).toBe(50_000);
      const lines: string[] = [];
      const mirror = new DirectoryMirror({
        reader,
        keys,
        node: 'a',
        log: (line) => lines.push(line),
        maxGames: 1_000,
        maxNodes: 100,
      });
      mirror.start();
      await until(() => !mirror.stale);
      expect(mirror.games.length).toBe(1_000);
      expect([...mirror.nodes].length).toBe(100);
      // Both hashes together: a handful of pages, not the 100-odd the whole of them takes.
      expect(pages()).toBeLessThanOrEqual(Math.ceil(1_100 / snapshotPage) + 4);
      expect(
        lines.some((line) => /100 node records \(maxNodes\) and 1000 games \(maxGames\)/.test(line)),
      ).toBe(true);
      // A game put after the snapshot still arrives through the stream; one past the bound is ignored.
      const ignoredBefore = mirror.ignored;
      const id = 'g60001.b';
      const summary = {
        id,
        name: 'late',
        createdBy: 'bot',
        lsn: 0,
        settings: defaultSettings,
        openSlots: [1],
      };
      await writer.xadd(keys.events, '*', 'k', 'put', 'id', id, 'v', gameEntryText(summary, 'b', 1));
      await until(() => mirror.ignored > ignoredBefore);
      expect(mirror.game(id)).toBeUndefined();
      await mirror.close();
    });
  });

  test('50,000 fields that do not parse: the mirror reads at most twice its bound, and keeps none', async () => {
    await withDirectory(async ({ writer, reader, pages }) => {
      for (let start = 0; start < 50_000; start += 5_000) {
        const batch = writer.pipeline();
        for (let index = start; index < start + 5_000; index++) batch.hset(keys.games, `junk${index}`, '{');
        await batch.exec();
      }
      const mirror = new DirectoryMirror({ reader, keys, node: 'a', log: () => {}, maxGames: 1_000 });
      mirror.start();
      await until(() => !mirror.stale);
      expect(mirror.games.length).toBe(0);
      expect(mirror.ignored).toBe(2_000);
      expect(pages()).toBeLessThanOrEqual(Math.ceil(2_000 / snapshotPage) + 3);
      await mirror.close();
    });
  });

  test('a directory within the bounds is mirrored whole, read in pages', async () => {
    await withDirectory(async ({ writer, reader }) => {
      await fill(writer, 2_345, 10);
      const mirror = new DirectoryMirror({ reader, keys, node: 'a', log: () => {} });
      mirror.start();
      await until(() => !mirror.stale);
      expect(mirror.games.length).toBe(2_345);
      expect(new Set(mirror.games.map((game) => game.id)).size).toBe(2_345);
      expect([...mirror.nodes].length).toBe(10);
      await mirror.close();
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the mirror');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
