import { expect, test } from 'vitest';
import { Codec, ContractRegistry } from '../src/index.ts';

test('the README example runs: a version 2 value reaches a version 1 reader as its base contract', () => {
  // Version 1 of a contract, known by the reader.
  class Move {
    x = 0;
    y = 0;
  }
  const reader = new ContractRegistry();
  reader.register(Move, { name: 'game.Move', fields: ['x', 'y'] });

  // Version 2, a subtype with one more field, known by the writer only.
  class MoveV2 extends Move {
    speed = 1;
  }
  const writer = new ContractRegistry();
  writer.register(Move, { name: 'game.Move', fields: ['x', 'y'] });
  writer.register(MoveV2, { name: 'game.MoveV2', fields: ['speed'] });

  const move = Object.assign(new MoveV2(), { x: 3, y: 4, speed: 2 });
  const bytes = new Codec({ registry: writer }).encode({ moves: [move] });
  const decoded = new Codec({ registry: reader }).decode(bytes) as { moves: Move[] };
  expect(decoded.moves[0]).toBeInstanceOf(Move);
  expect(decoded.moves[0]).toStrictEqual(Object.assign(new Move(), { x: 3, y: 4 }));
});
