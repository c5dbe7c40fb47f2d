import { facet, handOff, type Proxy, proxy, sameCapability } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { connect, listen, networks, party } from './fixtures/scenario-network.ts';

class Room {
  async name(): Promise<string> {
    return 'hall';
  }
}
interface IDirectory {
  /** The same room every time. */
  hall(): Proxy<Room>;
  /** A new room each time. */
  fresh(): Proxy<Room>;
  /** Gives back what it was given. */
  echo(room: Proxy<Room>): Proxy<Room>;
  /** Whether the host sees `a` and `b` as one object. */
  same(a: Proxy<Room>, b: Proxy<Room>): Promise<boolean>;
}

describe.each(networks)('sameCapability over $name', (network) => {
  async function directory(): Promise<{
    remote: Proxy<IDirectory>;
    hall: Room;
    again: () => Promise<Proxy<IDirectory>>;
  }> {
    const hall = new Room();
    class Directory implements IDirectory {
      hall() {
        return handOff(proxy(hall));
      }
      fresh() {
        return handOff(proxy(new Room()));
      }
      echo(room: Proxy<Room>) {
        return room;
      }
      async same(a: Proxy<Room>, b: Proxy<Room>) {
        return sameCapability(a, b);
      }
    }
    const root = proxy<IDirectory>(new Directory());
    const host = await listen(network, party(network, root as Proxy<unknown>));
    root[Symbol.dispose]();
    const client = party(network);
    return {
      remote: (await connect<IDirectory>(client, host)).remote,
      hall,
      again: async () => (await connect<IDirectory>(client, host)).remote,
    };
  }

  test('two imports of one export are the same; imports of two exports are not', async () => {
    const { remote } = await directory();
    using first = remote.hall();
    using second = remote.hall();
    using other = remote.fresh();
    await Promise.all([first.whenResolved(), second.whenResolved(), other.whenResolved()]);
    expect(sameCapability(first, second)).toBe(true);
    expect(sameCapability(first, other)).toBe(false);
    remote[Symbol.dispose]();
  });

  test('a capability that went to the peer and came back is the original', async () => {
    const { remote } = await directory();
    const mine = new Room();
    using local = proxy(mine);
    using back = remote.echo(local);
    await back.whenResolved();
    expect(sameCapability(back, local)).toBe(true);
    using imported = remote.hall();
    using echoed = remote.echo(imported);
    await echoed.whenResolved();
    expect(sameCapability(echoed, imported)).toBe(true);
    remote[Symbol.dispose]();
  });

  test('the host compares what it receives: one object sent twice is the same there', async () => {
    const { remote } = await directory();
    using local = proxy(new Room());
    using another = proxy(new Room());
    expect(await remote.same(local, local)).toBe(true);
    expect(await remote.same(local, another)).toBe(false);
    using hall = remote.hall();
    expect(await remote.same(hall, hall)).toBe(true);
    remote[Symbol.dispose]();
  });

  test('a facet of an import is not the import; an unsettled result compares as the promise it is', async () => {
    const { remote } = await directory();
    using hall = remote.hall();
    await hall.whenResolved();
    using narrowed = facet(hall, ['name']);
    expect(sameCapability(narrowed, hall)).toBe(false);
    using pending = remote.hall();
    expect(sameCapability(pending, hall)).toBe(false); // not settled yet
    await pending.whenResolved();
    expect(sameCapability(pending, hall)).toBe(true);
    remote[Symbol.dispose]();
  });

  test('what it cannot tell: one object reached over two sessions is two imports, not the same', async () => {
    const { remote, again } = await directory();
    using second = await again();
    using viaFirst = remote.hall();
    using viaSecond = second.hall();
    await Promise.all([viaFirst.whenResolved(), viaSecond.whenResolved()]);
    expect(sameCapability(viaFirst, viaSecond)).toBe(false);
    remote[Symbol.dispose]();
  });
});
