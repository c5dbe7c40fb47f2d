import { describe, expect, test } from 'vitest';
import { ArgumentError, proxy, type StandardSchema } from '../src/index.ts';

/** A tiny Standard Schema for `[number]` (what zod's `z.tuple([z.number()])` provides). */
function numberTuple(options: { async?: boolean; coerce?: boolean } = {}): StandardSchema<unknown, [number]> {
  const validate = (value: unknown) => {
    if (!Array.isArray(value) || value.length !== 1)
      return { issues: [{ message: 'expected one argument' }] };
    const [first] = value;
    if (options.coerce && typeof first === 'string' && first.trim() !== '' && !Number.isNaN(Number(first))) {
      return { value: [Number(first)] as [number] };
    }
    if (typeof first !== 'number' || !Number.isFinite(first)) {
      return { issues: [{ message: `expected a finite number, got ${typeof first}`, path: [0] }] };
    }
    return { value: [first] as [number] };
  };
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: options.async ? async (value: unknown) => validate(value) : validate,
    },
  };
}

interface IAccount {
  deposit(amount: number): Promise<number>;
  balance(): Promise<number>;
}

class Account implements IAccount {
  total = 0;
  readonly log: number[] = [];
  async deposit(amount: number) {
    this.log.push(amount);
    return (this.total += amount);
  }
  async balance() {
    return this.total;
  }
}

describe('opt-in argument validation', () => {
  test('bad input gets a clear error and the target never sees it', async () => {
    const account = new Account();
    const remote = proxy<IAccount>(account, { validate: { deposit: numberTuple() } });
    const error = await (remote.deposit as (value: unknown) => Promise<number>)('lots').catch(
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error).toMatchObject({ code: 'invalid-arguments' });
    expect((error as Error).message).toBe(
      "invalid arguments for 'deposit': 0: expected a finite number, got string",
    );
    expect(account.log).toEqual([]);
    expect(await remote.deposit(5)).toBe(5);
    expect(await remote.balance()).toBe(5); // methods without a schema are not checked
  });

  test("the schema's output is what the method receives", async () => {
    const account = new Account();
    const remote = proxy<IAccount>(account, { validate: { deposit: numberTuple({ coerce: true }) } });
    expect(await (remote.deposit as (value: unknown) => Promise<number>)('7')).toBe(7);
    expect(account.log).toEqual([7]);
  });

  test('asynchronous validators keep calls in order', async () => {
    const account = new Account();
    const remote = proxy<IAccount>(account, { validate: { deposit: numberTuple({ async: true }) } });
    const results = await Promise.allSettled([
      remote.deposit(1),
      remote.balance(),
      (remote.deposit as (value: unknown) => Promise<number>)(Number.NaN),
      remote.deposit(2),
    ]);
    expect(account.log).toEqual([1, 2]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((results[1] as PromiseFulfilledResult<number>).value).toBe(1);
  });

  test('a validator that throws is reported, not a crash', async () => {
    const broken: StandardSchema = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => {
          throw new Error('validator bug');
        },
      },
    };
    const remote = proxy<IAccount>(new Account(), { validate: { deposit: broken } });
    await expect(remote.deposit(1)).rejects.toThrow(/the validator failed: Error: validator bug/);
  });
});
