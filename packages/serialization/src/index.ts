/**
 * @msc/serialization: the codec every MSC session speaks. Values become CBOR frames (read and written by
 * this package, in cbor-x's forms) and back, with versionable data contracts, typed errors, decode
 * limits, and hooks through which a session turns capabilities, sequences and byte streams into wire
 * descriptors. It knows nothing of sessions.
 *
 * @example
 * import { Codec, ContractRegistry, UnknownContract } from '@msc/serialization';
 *
 * // Version 1 of a contract, known by the reader.
 * class Move { x = 0; y = 0; }
 * const reader = new ContractRegistry();
 * reader.register(Move, { name: 'game.Move', fields: ['x', 'y'] });
 *
 * // Version 2, a subtype with one more field, known by the writer only.
 * class MoveV2 extends Move { speed = 1; }
 * const writer = new ContractRegistry();
 * writer.register(Move, { name: 'game.Move', fields: ['x', 'y'] });
 * writer.register(MoveV2, { name: 'game.MoveV2', fields: ['speed'] });
 *
 * const move = Object.assign(new MoveV2(), { x: 3, y: 4, speed: 2 });
 * const bytes = new Codec({ registry: writer }).encode({ moves: [move] });
 * const decoded = new Codec({ registry: reader }).decode(bytes) as { moves: Move[] };
 * console.log(decoded.moves[0] instanceof Move, decoded.moves[0]); // true Move { x: 3, y: 4 }
 *
 * @packageDocumentation
 */

import { enableContracts } from './contract-definition.ts';

// The export list is `browser.ts`'s; this entry enables `ContractRegistry.register()`, which the browser
// entry leaves out (contract-definition.ts).
export * from './browser.ts';

enableContracts();
