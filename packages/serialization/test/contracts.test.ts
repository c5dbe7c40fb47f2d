import { describe, expect, test } from 'vitest';
import {
  Codec,
  ContractError,
  ContractRegistry,
  DecodeError,
  registerContract,
  UnknownContract,
} from '../src/index.ts';

// Two peers in one process: version 1 and version 2 of a small game protocol, each with its own registry.
class Position {
  x = 0;
  y = 0;
}
class Move {
  player = '';
  to = new Position();
}
/** Version 2's contract with no base at all, unknown to version 1. */
class Emote {
  kind = 'wave';
}

function version1(): ContractRegistry {
  const registry = new ContractRegistry();
  registry.register(Position, { name: 'game.Position', fields: ['x', 'y'] });
  registry.register(Move, { name: 'game.Move', fields: ['player', 'to'] });
  return registry;
}

/** Version 2: Move gained a `turn` field, Dash (a Move) and Emote are new. */
class MoveV2 {
  player = '';
  to = new Position();
  turn = 0;
}
class DashV2 extends MoveV2 {
  speed = 1;
  trail: Position[] = [];
}
function version2(): ContractRegistry {
  const registry = new ContractRegistry();
  registry.register(Position, { name: 'game.Position', fields: ['x', 'y'] });
  registry.register(MoveV2, {
    name: 'game.Move',
    fields: ['player', 'to', 'turn'],
    create: () => new MoveV2(),
  });
  registry.register(DashV2, { name: 'game.Dash', fields: ['speed', 'trail'] });
  registry.register(Emote, { name: 'game.Emote', fields: ['kind'] });
  return registry;
}

const at = (x: number, y: number): Position => Object.assign(new Position(), { x, y });

describe('a version 1 reader and a version 2 writer', () => {
  const reader = new Codec({ registry: version1() });
  const writer = new Codec({ registry: version2() });

  test('a field the reader does not know is ignored without error', () => {
    const move = Object.assign(new MoveV2(), { player: 'ada', to: at(1, 2), turn: 7 });
    const decoded = reader.decode(writer.encode(move)) as Move;
    expect(decoded).toBeInstanceOf(Move);
    expect(decoded).toStrictEqual(Object.assign(new Move(), { player: 'ada', to: at(1, 2) }));
    expect('turn' in decoded).toBe(false);
  });

  test('an unknown subtype is materialised as its nearest known base contract', () => {
    const dash = Object.assign(new DashV2(), {
      player: 'bob',
      to: at(3, 4),
      turn: 1,
      speed: 9,
      trail: [at(1, 1), at(2, 2)],
    });
    const decoded = reader.decode(writer.encode({ moves: [dash, dash] })) as { moves: Move[] };
    for (const move of decoded.moves) {
      expect(move.constructor).toBe(Move);
      expect(move).toStrictEqual(Object.assign(new Move(), { player: 'bob', to: at(3, 4) }));
    }
  });

  test('a wholly unknown contract becomes an UnknownContract placeholder with its type chain and fields', () => {
    const decoded = reader.decode(
      writer.encode([Object.assign(new Emote(), { kind: 'dance' })]),
    ) as unknown[];
    const placeholder = decoded[0] as UnknownContract;
    expect(placeholder).toBeInstanceOf(UnknownContract);
    expect(placeholder.typeChain).toStrictEqual(['game.Emote']);
    expect(placeholder.typeName).toBe('game.Emote');
    expect({ ...placeholder.fields }).toStrictEqual({ kind: 'dance' });
  });

  test('with unknownContracts: error, a wholly unknown contract is a DecodeError unknown-contract', () => {
    const strict = new Codec({ registry: version1(), unknownContracts: 'error' });
    expect(() => strict.decode(writer.encode(new Emote()))).toThrow(
      expect.objectContaining({ name: 'DecodeError', code: 'unknown-contract' }),
    );
    // A known base is still fine under the strict policy.
    expect(strict.decode(writer.encode(new DashV2()))).toBeInstanceOf(Move);
  });

  test("a peer's shapes with long names are not kept after the read, and the refusal quotes them cut short", () => {
    const registry = version1();
    // A shape of ordinary names is planned once and kept for the next value of that shape.
    expect(registry.planFor(['game.Emote'], ['kind'])).toBe(registry.planFor(['game.Emote'], ['kind']));
    // Names of a megabyte each (within maxStringBytes): the registry outlives every session, so such a plan
    // is made afresh each time rather than kept (256 of them would hold gigabytes).
    const long = 'x'.repeat(1 << 20);
    expect(registry.planFor([long], ['kind'])).not.toBe(registry.planFor([long], ['kind']));
    const strict = new Codec({ registry, unknownContracts: 'error' });
    const hostile = new ContractRegistry();
    class Named {
      kind = 'wave';
    }
    hostile.register(Named, { name: long, fields: ['kind'] });
    let refusal: DecodeError | undefined;
    try {
      strict.decode(new Codec({ registry: hostile }).encode(new Named()));
    } catch (error) {
      refusal = error as DecodeError;
    }
    expect(refusal).toMatchObject({ code: 'unknown-contract' });
    expect(refusal!.message).toBe(`expected a known contract, got '${'x'.repeat(80)}' with none registered`);
  });

  test('a placeholder passed through the reader reaches a version 2 peer intact', () => {
    const forwarded = reader.encode(
      reader.decode(writer.encode({ emote: Object.assign(new Emote(), { kind: 'bow' }) })),
    );
    const decoded = writer.decode(forwarded) as { emote: Emote };
    expect(decoded.emote).toBeInstanceOf(Emote);
    expect(decoded.emote.kind).toBe('bow');
  });

  test('what version 1 writes, version 2 reads, with its defaults for the fields version 1 does not send', () => {
    const move = Object.assign(new Move(), { player: 'cy', to: at(5, 6) });
    const decoded = writer.decode(reader.encode(move)) as MoveV2;
    expect(decoded).toBeInstanceOf(MoveV2);
    expect(decoded).toStrictEqual(Object.assign(new MoveV2(), { player: 'cy', to: at(5, 6), turn: 0 }));
  });

  test('the wire carries the type chain, most derived first', () => {
    const decoded = new Codec({ registry: new ContractRegistry() }).decode(
      writer.encode(new DashV2()),
    ) as UnknownContract;
    expect(decoded.typeChain).toStrictEqual(['game.Dash', 'game.Move']);
    expect(Object.keys(decoded.fields)).toStrictEqual(['player', 'to', 'turn', 'speed', 'trail']);
  });
});

describe('contracts', () => {
  test('polymorphism by registered name: a field typed as a base holds any registered subtype', () => {
    const registry = version2();
    const codec = new Codec({ registry });
    const decoded = codec.decode(
      codec.encode([new MoveV2(), Object.assign(new DashV2(), { speed: 3 })]),
    ) as MoveV2[];
    expect(decoded[0]!.constructor).toBe(MoveV2);
    expect(decoded[1]).toBeInstanceOf(DashV2);
    expect((decoded[1] as DashV2).speed).toBe(3);
  });

  test('a contract can contain itself (a linked list), and contracts sit in map keys, map values and sets', () => {
    class Node {
      value = 0;
      next: Node | undefined = undefined;
    }
    const registry = new ContractRegistry();
    registry.register(Node, { name: 'Node', fields: ['value', 'next'] });
    registry.register(Position, { name: 'Position', fields: ['x', 'y'] });
    const codec = new Codec({ registry });
    const list = Object.assign(new Node(), {
      value: 1,
      next: Object.assign(new Node(), { value: 2, next: Object.assign(new Node(), { value: 3 }) }),
    });
    const value = { list, map: new Map([[at(1, 1), at(2, 2)]]), set: new Set([at(3, 3)]) };
    const decoded = codec.decode(codec.encode(value)) as typeof value;
    expect(decoded).toStrictEqual(value);
    expect(decoded.list.next?.next).toBeInstanceOf(Node);
    expect([...decoded.map.keys()][0]).toBeInstanceOf(Position);
  });

  test('only declared fields travel: other own properties stay home', () => {
    const registry = new ContractRegistry();
    registry.register(Position, { name: 'Position', fields: ['x', 'y'] });
    const codec = new Codec({ registry });
    const position = Object.assign(at(1, 2), { cache: 'local only' });
    expect(codec.decode(codec.encode(position))).toStrictEqual(at(1, 2));
  });

  test('registerContract uses the default registry, and the base is inferred from the prototype chain', () => {
    class Animal {
      name = '';
    }
    class Cat extends Animal {
      lives = 9;
    }
    registerContract(Animal, { name: 'test.Animal', fields: ['name'] });
    const cat = registerContract(Cat, { name: 'test.Cat', fields: ['lives'] });
    expect(cat.typeChain).toStrictEqual(['test.Cat', 'test.Animal']);
    expect(cat.fields).toStrictEqual(['name', 'lives']);
    const codec = new Codec();
    expect(codec.decode(codec.encode(Object.assign(new Cat(), { name: 'tom' })))).toStrictEqual(
      Object.assign(new Cat(), { name: 'tom' }),
    );
  });

  test('refused registrations are ContractErrors with a code', () => {
    const registry = new ContractRegistry();
    registry.register(Position, { name: 'Position', fields: ['x', 'y'] });
    const refused = (run: () => unknown): string | undefined => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(ContractError);
        return (error as ContractError).code;
      }
      return undefined;
    };
    expect(refused(() => registry.register(class Other {}, { name: 'Position', fields: [] }))).toBe(
      'duplicate-name',
    );
    expect(refused(() => registry.register(Position, { name: 'Position2', fields: [] }))).toBe(
      'duplicate-class',
    );
    expect(refused(() => registry.register(class A {}, { name: 'A', fields: [], base: Move }))).toBe(
      'unknown-base',
    );
    expect(
      refused(() => registry.register(class B {}, { name: 'B', fields: ['constructor' as never] })),
    ).toBe('invalid-field');
    expect(refused(() => registry.register(class C extends Position {}, { name: 'C', fields: ['x'] }))).toBe(
      'invalid-field',
    );
    expect(refused(() => registry.register(class D {}, { name: '', fields: [] }))).toBe('invalid-contract');
  });

  test('a shape that does not match its field values is a DecodeError, not a half-built object', () => {
    const registry = new ContractRegistry();
    registry.register(Position, { name: 'Position', fields: ['x', 'y'] });
    const codec = new Codec({ registry });
    const frame = codec.encode(at(1, 2));
    // The last byte is y's value (2); drop it and shorten the array header from 3 to 2 items.
    const index = frame.indexOf(0x83);
    const broken = Uint8Array.from([...frame.subarray(0, frame.length - 1)]);
    broken[index] = 0x82;
    expect(() => codec.decode(broken)).toThrow(DecodeError);
  });

  test('a throwing create is a DecodeError contract-failed with the error as cause', () => {
    const registry = new ContractRegistry();
    registry.register(Position, {
      name: 'Position',
      fields: ['x', 'y'],
      create: () => {
        throw new Error('no');
      },
    });
    const codec = new Codec({ registry });
    expect(() => codec.decode(codec.encode(at(1, 1)))).toThrow(
      expect.objectContaining({ code: 'contract-failed' }),
    );
  });
});
