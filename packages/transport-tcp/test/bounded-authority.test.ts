import { facet, handOff, MethodNotFoundError, type Proxy, proxy } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { connect, eventually, listen, networks, party } from './fixtures/scenario-network.ts';

// The devlog's lobby (RPC3, "Example"): joining a game slot returns a capability that only
// authorizes leaving the slot, by calling `leave` or by discarding the capability.
interface IJoinedPlayer {
  leave(): Promise<void>;
}
interface IGameLauncher {
  tryJoin(slot: number): Proxy<IJoinedPlayer>;
  seats(): Promise<(string | null)[]>;
}

/** A claimed slot. The game calls `launch` and `kick`; the player it joined may only `leave`. */
class Seat {
  readonly #game: Game;
  readonly #slot: number;
  launched = false;
  constructor(game: Game, slot: number) {
    this.#game = game;
    this.#slot = slot;
  }
  async leave(): Promise<void> {
    this.#game.free(this.#slot, 'left');
  }
  async launch(): Promise<void> {
    this.launched = true;
  }
  async kick(): Promise<void> {
    this.#game.free(this.#slot, 'kicked');
  }
  /** Discarding the joined capability frees the slot too. */
  [Symbol.dispose](): void {
    this.#game.free(this.#slot, 'discarded');
  }
}

class Game implements IGameLauncher {
  readonly slots: (Seat | null)[] = [null, null];
  readonly log: string[] = [];
  tryJoin(slot: number): Proxy<IJoinedPlayer> {
    if (this.slots[slot] !== null) throw new RangeError(`slot ${slot} is taken`);
    const seat = new Seat(this, slot);
    this.slots[slot] = seat;
    // The winnowed capability: a facet that lets only `leave` through, handed off so the seat is
    // disposed as soon as the player releases it.
    return handOff(facet<IJoinedPlayer>(seat, ['leave']));
  }
  async seats(): Promise<(string | null)[]> {
    return this.slots.map((seat) => (seat === null ? null : 'taken'));
  }
  free(slot: number, why: string): void {
    if (this.slots[slot] === null) return;
    this.slots[slot] = null;
    this.log.push(`${slot} ${why}`);
  }
}

describe.each(networks)('bounded authority over $name', (network) => {
  async function lobby(game: Game): Promise<Proxy<IGameLauncher>> {
    const root = proxy<IGameLauncher>(game);
    const host = await listen(network, party(network, root as Proxy<unknown>));
    root[Symbol.dispose]();
    return (await connect<IGameLauncher>(party(network), host)).remote;
  }

  test("the devlog's joined-player capability: leave works, launch and kick are refused on the host", async () => {
    const game = new Game();
    using launcher = await lobby(game);
    using joined = launcher.tryJoin(0);
    const hostile = joined as unknown as Proxy<Seat>;
    await expect(hostile.launch()).rejects.toBeInstanceOf(MethodNotFoundError);
    await expect(hostile.kick()).rejects.toThrow(
      /'kick' is not a callable method of a facet of Seat: this facet allows only 'leave'/,
    );
    expect(game.slots[0]?.launched).toBe(false);
    expect(await launcher.seats()).toEqual(['taken', null]);
    await joined.leave();
    expect(await launcher.seats()).toEqual([null, null]);
    expect(game.log).toEqual(['0 left']);
  });

  test('discarding the joined-player capability frees the slot', async () => {
    const game = new Game();
    using launcher = await lobby(game);
    const joined = launcher.tryJoin(1);
    await joined.whenResolved();
    expect(await launcher.seats()).toEqual([null, 'taken']);
    joined[Symbol.dispose]();
    await eventually(() => game.log.length > 0);
    expect(game.log).toEqual(['1 discarded']);
  });

  test('a facet made with proxy(target, { methods }) is refused remotely too, and the full proxy is not', async () => {
    class Account {
      balance = 10;
      async read(): Promise<number> {
        return this.balance;
      }
      async withdraw(amount: number): Promise<number> {
        return (this.balance -= amount);
      }
    }
    interface IBank {
      reader(): Proxy<Account>;
      owner(): Proxy<Account>;
    }
    const account = new Account();
    class Bank implements IBank {
      reader() {
        return handOff(proxy<Account>(account, { methods: ['read'] }));
      }
      owner() {
        return handOff(proxy<Account>(account));
      }
    }
    using bank = await lobby(new Game()).then(async (launcher) => {
      launcher[Symbol.dispose]();
      const root = proxy<IBank>(new Bank());
      const host = await listen(network, party(network, root as Proxy<unknown>));
      root[Symbol.dispose]();
      return (await connect<IBank>(party(network), host)).remote;
    });
    using reader = bank.reader();
    using owner = bank.owner();
    expect(await reader.read()).toBe(10);
    await expect(reader.withdraw(10)).rejects.toBeInstanceOf(MethodNotFoundError);
    expect(await owner.withdraw(3)).toBe(7);
    expect(account.balance).toBe(7);
  });

  test('a facet the client makes of a remote capability refuses locally, and on its host when passed on', async () => {
    class Counter {
      count = 0;
      async inc(): Promise<number> {
        return ++this.count;
      }
      async reset(): Promise<void> {
        this.count = 0;
      }
    }
    interface IRelay {
      counter(): Proxy<Counter>;
      /** Calls `method` on a capability the client passes (a hostile host would do the same). */
      tryCall(capability: Proxy<Pick<Counter, 'inc'>>, method: string): Promise<string>;
    }
    const counter = new Counter();
    class Relay implements IRelay {
      counter() {
        return handOff(proxy(counter));
      }
      async tryCall(capability: Proxy<Pick<Counter, 'inc'>>, method: string): Promise<string> {
        const call = (capability as unknown as Record<string, () => Promise<unknown>>)[method]!;
        return call().then(
          () => 'ok',
          (error: unknown) => (error as Error).name,
        );
      }
    }
    const root = proxy<IRelay>(new Relay());
    const host = await listen(network, party(network, root as Proxy<unknown>));
    root[Symbol.dispose]();
    using relay = (await connect<IRelay>(party(network), host)).remote;
    using full = relay.counter();
    using incrementOnly = facet(full, ['inc']);
    await expect((incrementOnly as unknown as Proxy<Counter>).reset()).rejects.toBeInstanceOf(
      MethodNotFoundError,
    );
    expect(await relay.tryCall(incrementOnly, 'inc')).toBe('ok');
    expect(await relay.tryCall(incrementOnly, 'reset')).toBe('MethodNotFoundError');
    expect(counter.count).toBe(1);
  });
});
