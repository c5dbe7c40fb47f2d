import { afterEach, describe, expect, test } from 'vitest';
import { installContractDefiner } from '../src/contract-registry.ts';
import {
  Codec,
  ContractError,
  ContractRegistry,
  enableContracts,
  registerContract,
  UnknownContract,
} from '../src/index.ts';

// The browser entry leaves the registration checks of `ContractRegistry.register()` out
// (contract-definition.ts): a page that only reads its server's values never registers. A page
// that calls the method without `enableContracts()` must be told so; `registerContract()` and
// reading contracts must not notice.

afterEach(() => {
  enableContracts(); // the package's own entry enables it; every other test file expects it
});

class Move {
  x = 0;
  y = 0;
}

class Jump extends Move {
  height = 0;
}

describe('a program without enableContracts()', () => {
  test('registry.register() throws a TypeError naming enableContracts() and registers nothing', () => {
    installContractDefiner(undefined);
    const registry = new ContractRegistry();
    expect(() => registry.register(Move, { name: 'game.Move', fields: ['x', 'y'] })).toThrow(
      /contract registration not enabled in this program: call enableContracts\(\) from '@msc\/serialization'/,
    );
    expect(registry.byName('game.Move')).toBeUndefined();
    expect(registry.byClass(Move)).toBeUndefined();
  });

  test('registerContract() registers, checks and infers the base as always, and the codec reads the contract', () => {
    installContractDefiner(undefined);
    const registry = new ContractRegistry();
    const move = registerContract(Move, { name: 'game.Move', fields: ['x', 'y'], registry });
    const jump = registerContract(Jump, { name: 'game.Jump', fields: ['height'], registry });
    expect(jump.base).toBe(move);
    expect(jump.typeChain).toEqual(['game.Jump', 'game.Move']);
    expect(() => registerContract(Move, { name: 'game.Other', fields: [], registry })).toThrow(ContractError);
    const codec = new Codec({ registry });
    const decoded = codec.decode(codec.encode(Object.assign(new Jump(), { x: 1, y: 2, height: 3 })));
    expect(decoded).toBeInstanceOf(Jump);
    expect(decoded).toEqual(Object.assign(new Jump(), { x: 1, y: 2, height: 3 }));
    // A reader that knows none of it still reads it, as an unknown contract.
    const unknown = new Codec({ registry: new ContractRegistry() }).decode(
      codec.encode(Object.assign(new Move(), { x: 5, y: 6 })),
    );
    expect(unknown).toBeInstanceOf(UnknownContract);
  });

  test('enableContracts() makes registry.register() work again, and calling it twice does no more', () => {
    installContractDefiner(undefined);
    enableContracts();
    enableContracts();
    const registry = new ContractRegistry();
    expect(registry.register(Move, { name: 'game.Move', fields: ['x', 'y'] }).fields).toEqual(['x', 'y']);
    expect(registry.byClass(Move)?.name).toBe('game.Move');
  });
});
