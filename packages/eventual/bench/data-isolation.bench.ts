// What isolating data costs a local call (docs/semantics.md#location-independence): a call whose
// argument is plain data (copied, as a session would copy it) against the same call with the same
// data inside a class instance (passed by reference and walked for proxies, which is what every
// argument cost before local calls copied data: the un-copied call). Small: one { id, name, score };
// large: 10,000 of them.
// Run: npx pnpm@10.34.8 --filter @msc/eventual exec vitest bench --run bench/data-isolation.bench.ts
import { bench, describe } from 'vitest';
import { proxy } from '../src/index.ts';

interface Row {
  id: number;
  name: string;
  score: number;
}

/** Passed by reference: class instances are not copied (only walked for proxies, as before). */
class Box {
  constructor(readonly value: unknown) {}
}

class Target {
  async take(value: unknown): Promise<number> {
    return value === undefined ? 0 : 1;
  }
}

const target = proxy(new Target());
const small: Row = { id: 1, name: 'player-1', score: 100 };
const large: Row[] = Array.from({ length: 10_000 }, (_, index) => ({
  id: index,
  name: `player-${index}`,
  score: index * 3,
}));
const smallBoxed = new Box(small);
const largeBoxed = new Box(large);
const calls = 1000;

describe('1,000 local calls, small plain-data argument ({ id, name, score })', () => {
  bench('un-copied (same data in a class instance)', async () => {
    for (let index = 0; index < calls; index++) await target.take(smallBoxed);
  });
  bench('copied (plain data)', async () => {
    for (let index = 0; index < calls; index++) await target.take(small);
  });
});

describe('10 local calls, large plain-data argument (10,000 { id, name, score })', () => {
  bench('un-copied (same data in a class instance)', async () => {
    for (let index = 0; index < 10; index++) await target.take(largeBoxed);
  });
  bench('copied (plain data)', async () => {
    for (let index = 0; index < 10; index++) await target.take(large);
  });
});
