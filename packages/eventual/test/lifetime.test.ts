import { describe, expect, test } from 'vitest';
import { DisposedError, handOff, type Proxy, proxy } from '../src/index.ts';
import { Calc, type ICalc, settle } from './fixtures.ts';

/**
 * Runs `body` with every `FinalizationRegistry` registration counted (`registered()`), then puts
 * `register` back.
 */
async function countingRegistrations(body: (registered: () => number) => Promise<void>): Promise<void> {
  const register = FinalizationRegistry.prototype.register;
  let count = 0;
  FinalizationRegistry.prototype.register = function (this: FinalizationRegistry<unknown>, ...rest) {
    count++;
    return register.apply(this, rest);
  };
  try {
    await body(() => count);
  } finally {
    FinalizationRegistry.prototype.register = register;
  }
}

describe('lifetime', () => {
  test("the target's Symbol.dispose runs when its last proxy is released", async () => {
    const calc = new Calc();
    const first = proxy<ICalc>(calc);
    const second = proxy<ICalc>(calc);
    first[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(0);
    second[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(1);
    second[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(1);
  });

  test('calls queued before the release are dispatched before the target is disposed', async () => {
    const events: string[] = [];
    class Target {
      async work(): Promise<void> {
        events.push('work');
      }
      [Symbol.dispose](): void {
        events.push('dispose');
      }
    }
    const target = proxy(new Target());
    const done = target.work();
    target[Symbol.dispose]();
    await done;
    await settle();
    expect(events).toEqual(['work', 'dispose']);
  });

  test('using releases at the end of the block', async () => {
    const calc = new Calc();
    {
      using scoped = proxy<ICalc>(calc);
      await scoped.add(1);
    }
    await settle();
    expect(calc.disposed).toBe(1);
  });

  test('a callee keeps an argument by copying it; the caller keeps its own', async () => {
    const held: Proxy<ICalc>[] = [];
    interface IKeeper {
      keep(calc: Proxy<ICalc>): Promise<void>;
    }
    class Keeper implements IKeeper {
      async keep(calc: Proxy<ICalc>): Promise<void> {
        held.push(proxy(calc)); // the argument is released when the call settles: keep a copy
      }
    }
    const calc = new Calc(5);
    const keeper = proxy<IKeeper>(new Keeper());
    const mine = proxy<ICalc>(calc);
    await keeper.keep(mine);
    mine[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(0);
    expect(await held[0]!.get()).toBe(5);
    held[0]![Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(1);
  });

  test('a returned proxy moves to the caller: its release is the last, with no garbage collection', async () => {
    const made: Calc[] = [];
    interface IFactory {
      make(): Proxy<ICalc>;
      makeInData(): { calc: Proxy<ICalc> };
    }
    class Factory implements IFactory {
      make(): Proxy<ICalc> {
        const calc = new Calc(made.length);
        made.push(calc);
        return proxy<ICalc>(calc);
      }
      makeInData() {
        return { calc: this.make() };
      }
    }
    const factory = proxy<IFactory>(new Factory());
    const result = factory.make(); // kept reachable: garbage collection cannot be what releases it
    const awaited = await result;
    const data = await factory.makeInData();
    awaited[Symbol.dispose](); // awaiting moved the result's reference: one dispose is enough
    data.calc[Symbol.dispose]();
    await settle();
    expect(made.map((calc) => calc.disposed)).toEqual([1, 1]);
    await expect(result.get()).rejects.toBeInstanceOf(DisposedError);
  });

  test('a callee’s argument is released when its call settles; keeping it uncopied says how to keep it', async () => {
    const calc = new Calc(4);
    interface IBorrower {
      borrow(calc: Proxy<ICalc>): Promise<number>;
      later(): Promise<number>;
    }
    class Borrower implements IBorrower {
      kept: Proxy<ICalc> | undefined;
      async borrow(lent: Proxy<ICalc>): Promise<number> {
        this.kept = lent; // not a copy
        await settle(); // still ours until the call settles
        return lent.get();
      }
      async later(): Promise<number> {
        return this.kept!.get();
      }
    }
    const borrower = proxy<IBorrower>(new Borrower());
    const mine = proxy<ICalc>(calc);
    expect(await borrower.borrow(mine)).toBe(4);
    const error = (await borrower.later().catch((caught: unknown) => caught)) as DisposedError;
    expect(error).toBeInstanceOf(DisposedError);
    expect(error.message).toBe(
      "cannot call 'get': this proxy was an argument of a call that has settled, and the call released it; to keep an argument, keep a copy (`this.listener = proxy(listener)`)",
    );
    mine[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(1);
  });

  test('a forgotten proxy is released when garbage collected', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run the tests with --expose-gc');
    const calc = new Calc();
    (() => {
      const forgotten = proxy<ICalc>(calc);
      void forgotten;
    })();
    for (let attempt = 0; attempt < 50 && calc.disposed === 0; attempt++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(calc.disposed).toBe(1);
  });

  test('the collector watches only instances not yet disposed when their turn ends', async () => {
    // Registration with the garbage collector's backstop is costly (V8 keeps its record, and the
    // state it holds, until a full collection): an instance disposed in the turn that made it, or
    // whose reference moved on, is never registered.
    await countingRegistrations(async (registered) => {
      const calc = new Calc();
      for (let index = 0; index < 100; index++) proxy<ICalc>(calc)[Symbol.dispose]();
      const kept = [proxy<ICalc>(calc), proxy<ICalc>(calc)];
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(registered()).toBe(2); // the two kept
      for (const instance of kept) instance[Symbol.dispose]();
      await settle();
      expect(calc.disposed).toBe(101); // each of the 100 was the last proxy when disposed; then the two
    });
  });

  test('a turn that makes many instances registers them as it goes, not all at its end', async () => {
    // A loop of local calls can await in microtasks only, so its turn never ends: what waits for
    // registration is bounded (512 instances), or every instance it made would stay alive with it.
    await countingRegistrations(async (registered) => {
      const calc = new Calc();
      const kept: Proxy<ICalc>[] = [];
      for (let index = 0; index < 3000; index++) kept.push(proxy<ICalc>(calc));
      expect(registered()).toBe(2560); // five bounds' worth, registered within the turn
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(registered()).toBe(3000);
      for (const instance of kept) instance[Symbol.dispose]();
      await settle();
      expect(calc.disposed).toBe(1);
    });
  });

  test('handOff gives the reference away: the object is disposed when the receiver releases it', async () => {
    const room = new Calc(1);
    interface IRooms {
      create(): Proxy<ICalc>;
    }
    class Rooms implements IRooms {
      view: Proxy<ICalc> | undefined;
      create(): Proxy<ICalc> {
        this.view = handOff(proxy<ICalc>(room));
        return this.view;
      }
    }
    const rooms = new Rooms();
    const remote = proxy<IRooms>(rooms);
    const received = remote.create();
    expect(await received.get()).toBe(1);
    expect(await rooms.view!.get()).toBe(1); // the view reaches the room while it lives
    received[Symbol.dispose]();
    await settle();
    expect(room.disposed).toBe(1); // at once: no garbage collection needed
    await expect(rooms.view!.get()).rejects.toBeInstanceOf(DisposedError);
    rooms.view![Symbol.dispose](); // a view holds nothing: disposing it is harmless
    expect(room.disposed).toBe(1);
  });

  test('a handed-off proxy used before it is shared keeps its reference', async () => {
    const calc = new Calc(2);
    const mine = handOff(proxy<ICalc>(calc));
    expect(await mine.get()).toBe(2); // used: the reference is ours again
    const copy = proxy<ICalc>(mine);
    copy[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(0);
    mine[Symbol.dispose]();
    await settle();
    expect(calc.disposed).toBe(1);
  });
});
