import { describe, expect, test } from 'vitest';
import {
  Codec,
  ContractRegistry,
  DecodeError,
  EncodeError,
  handshakeDecodeLimits,
  type ReferenceHooks,
  referenceMarker,
} from '../src/index.ts';

/** Stands in for a capability: the session would export it and send its export id. */
class Capability {
  constructor(readonly label: string) {}
}
/** What the receiving side gets instead: a proxy for the export. */
class Imported {
  constructor(readonly exportId: number) {}
}

/** A per-message context, as a session would pass one: it collects what one message exported. */
interface MessageContext {
  readonly exported: Capability[];
  readonly imported: Imported[];
}

function peers(): {
  writer: Codec<MessageContext>;
  reader: Codec<MessageContext>;
  table: Map<number, Capability>;
} {
  const table = new Map<number, Capability>();
  let nextId = 0;
  const hooks: ReferenceHooks<MessageContext> = {
    isReference: (value) => value instanceof Capability,
    encodeReference(value, context) {
      const id = nextId++;
      table.set(id, value as Capability);
      context.exported.push(value as Capability);
      return { export: id };
    },
    decodeReference(descriptor, context) {
      const imported = new Imported((descriptor as { export: number }).export);
      context.imported.push(imported);
      return imported;
    },
  };
  return { writer: new Codec({ hooks }), reader: new Codec({ hooks }), table };
}

const fresh = (): MessageContext => ({ exported: [], imported: [] });

describe('by-reference values', () => {
  test('references anywhere in a value are replaced by live values, hooks called in value order', () => {
    const { writer, reader, table } = peers();
    const registry = new ContractRegistry();
    class Holder {
      inner: unknown;
    }
    registry.register(Holder, { name: 'Holder', fields: ['inner'] });
    const contracts = new Codec<MessageContext>({
      registry,
      hooks: {
        isReference: (value) => value instanceof Capability,
        encodeReference: (value, context) => context.exported.push(value as Capability) - 1,
        decodeReference: (descriptor) => new Imported(descriptor as number),
      },
    });
    const [a, b, c, d, e, f] = ['a', 'b', 'c', 'd', 'e', 'f'].map((label) => new Capability(label)) as [
      Capability,
      Capability,
      Capability,
      Capability,
      Capability,
      Capability,
    ];
    const value = {
      argument: a,
      nested: [{ deeper: b }],
      map: new Map<unknown, unknown>([[c, d]]),
      set: new Set([e]),
      again: a,
    };
    const context = fresh();
    const decoded = reader.decode(writer.encode(value, context), fresh()) as Record<string, any>;
    // Depth-first, in the order the values appear: a, b, map key c then value d, e, a again.
    expect(context.exported.map((capability) => capability.label)).toStrictEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'a',
    ]);
    expect(decoded.argument).toStrictEqual(new Imported(0));
    expect(decoded.nested[0].deeper).toStrictEqual(new Imported(1));
    expect([...decoded.map.entries()]).toStrictEqual([[new Imported(2), new Imported(3)]]);
    expect([...decoded.set]).toStrictEqual([new Imported(4)]);
    expect(decoded.again).toStrictEqual(new Imported(5));
    expect(table.size).toBe(6);

    const holderContext = fresh();
    const holder = Object.assign(new Holder(), { inner: [f] });
    const decodedHolder = contracts.decode(contracts.encode(holder, holderContext)) as Holder;
    expect(decodedHolder).toBeInstanceOf(Holder);
    expect(decodedHolder.inner).toStrictEqual([new Imported(0)]);
    expect(holderContext.exported).toStrictEqual([f]);
  });

  test('decodeReference runs in value order before the value is built', () => {
    const { writer, reader } = peers();
    const context = fresh();
    const [a, b] = [new Capability('a'), new Capability('b')];
    const decoded = reader.decode(writer.encode([[a], b], fresh()), context) as [[Imported], Imported];
    expect(context.imported).toStrictEqual([decoded[0][0], decoded[1]]);
  });

  test('plain data never calls the hooks and produces the same bytes as a codec without hooks', () => {
    let calls = 0;
    const hooks: ReferenceHooks = {
      isReference: () => {
        calls++;
        return false;
      },
      encodeReference: () => 0,
      decodeReference: () => null,
    };
    const value = { id: 1, names: ['a', 'b'], map: new Map([[1, 2]]) };
    expect(new Codec({ hooks }).encode(value)).toStrictEqual(new Codec().encode(value));
    expect(calls).toBe(0);
  });

  test('the default predicate is the referenceMarker symbol, which a prototype can carry', () => {
    class Marked {
      readonly [referenceMarker] = true;
    }
    const codec = new Codec({
      hooks: {
        encodeReference: () => 'marked',
        decodeReference: (descriptor) => `live ${String(descriptor)}`,
      },
    });
    expect(codec.decode(codec.encode([new Marked()]))).toStrictEqual(['live marked']);
  });

  test('encodeReference may encode (reentrant), and decodeReference may decode', () => {
    const inner = new Codec();
    const codec = new Codec({
      hooks: {
        isReference: (value) => value instanceof Capability,
        encodeReference: (value) => inner.encode({ label: (value as Capability).label }),
        decodeReference: (descriptor) => inner.decode(descriptor as Uint8Array),
      },
    });
    const frame = codec.encode({
      list: [new Capability('x'), { plain: `data with ${'more'.repeat(10)}` }, new Capability('y')],
    });
    expect(codec.decode(frame)).toStrictEqual({
      list: [{ label: 'x' }, { plain: `data with ${'more'.repeat(10)}` }, { label: 'y' }],
    });
  });

  test('a decode inside decodeReference, with stricter limits, leaves the outer decode its own limits and records', () => {
    const strict = new Codec({ limits: handshakeDecodeLimits });
    const codec = new Codec({
      hooks: {
        isReference: (value) => value instanceof Capability,
        encodeReference: (value) => strict.encode({ label: (value as Capability).label }),
        decodeReference: (descriptor) => strict.decode(descriptor as Uint8Array),
      },
    });
    // Deeper and longer than the inner codec's limits allow, and records used before and after the hook.
    let deep: unknown = 'bottom';
    for (let level = 0; level < 40; level++) deep = [deep];
    const value = {
      before: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
      capability: new Capability('x'),
      after: [
        { id: 3, name: 'c' },
        { id: 4, name: 'd' },
        { id: 5, name: 'e' },
      ],
      deep,
      text: 'long '.repeat(5000),
    };
    expect(codec.decode(codec.encode(value))).toStrictEqual({ ...value, capability: { label: 'x' } });
  });

  test('encode called during the value walk is an EncodeError reentrant-encode, and leaves the outer encode intact', () => {
    const codec: Codec = new Codec({
      hooks: {
        isReference: () => {
          expect(() => codec.encode('inner')).toThrow(expect.objectContaining({ code: 'reentrant-encode' }));
          return false;
        },
        encodeReference: () => 0,
        decodeReference: () => null,
      },
    });
    const value = { when: new Date(1000), text: 'outer' };
    expect(codec.decode(codec.encode(value))).toStrictEqual(value);
  });

  test('a frame with references reaching a codec without hooks is a DecodeError reference-failed', () => {
    const { writer } = peers();
    const frame = writer.encode([new Capability('a')], fresh());
    expect(() => new Codec().decode(frame)).toThrow(
      expect.objectContaining({ name: 'DecodeError', code: 'reference-failed' }),
    );
  });

  test('a throwing decodeReference is a DecodeError reference-failed with the error as cause', () => {
    const { writer } = peers();
    const failure = new Error('unknown export');
    const reader = new Codec({
      hooks: {
        encodeReference: () => 0,
        decodeReference: () => {
          throw failure;
        },
      },
    });
    try {
      reader.decode(writer.encode({ a: new Capability('a') }, fresh()));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as DecodeError).code).toBe('reference-failed');
      expect((error as DecodeError).cause).toBe(failure);
    }
  });

  test('a throwing encodeReference passes its own error through unchanged', () => {
    const failure = new Error('session closed');
    const codec = new Codec({
      hooks: {
        isReference: (value) => value instanceof Capability,
        encodeReference: () => {
          throw failure;
        },
        decodeReference: () => null,
      },
    });
    expect(() => codec.encode([new Capability('a')])).toThrow(failure);
    expect(codec.decode(codec.encode(['still works']))).toStrictEqual(['still works']);
  });

  test('a descriptor that contains a by-reference value is an EncodeError invalid-reference', () => {
    const codec = new Codec({
      hooks: {
        isReference: (value) => value instanceof Capability,
        encodeReference: (value) => ({ again: value }),
        decodeReference: () => null,
      },
    });
    expect(() => codec.encode(new Capability('a'))).toThrow(
      expect.objectContaining({ name: 'EncodeError', code: 'invalid-reference' }),
    );
    expect(EncodeError).toBeDefined();
  });
});

describe('state between calls', () => {
  class Point {
    x = 0;
    y = 0;
  }
  const registry = new ContractRegistry();
  registry.register(Point, { name: 'Point', fields: ['x', 'y'] });
  const point = (x: number, y: number): Point => Object.assign(new Point(), { x, y });

  test('the same codec may encode and decode inside its own hooks, with contracts on both levels', () => {
    const codec: Codec = new Codec({
      registry,
      hooks: {
        isReference: (value) => value instanceof Capability,
        encodeReference: (value) => codec.encode({ point: point(9, 9), label: (value as Capability).label }),
        decodeReference: (descriptor) => codec.decode(descriptor as Uint8Array),
      },
    });
    const decoded = codec.decode(codec.encode([point(1, 2), new Capability('c'), point(3, 4)]));
    expect(decoded).toStrictEqual([point(1, 2), { point: point(9, 9), label: 'c' }, point(3, 4)]);
  });

  test('an encode that fails half way leaves no record or shape behind for the next frame', () => {
    const codec = new Codec({ registry });
    expect(() => codec.encode([{ a: 1, b: 2 }, point(1, 1), () => 'not data'])).toThrow(EncodeError);
    const frame = codec.encode([{ a: 3, b: 4 }, point(5, 6)]);
    expect(new Codec({ registry }).decode(frame)).toStrictEqual([{ a: 3, b: 4 }, point(5, 6)]);
  });

  test('a decode that fails half way leaves nothing behind for the next frame', () => {
    const codec = new Codec({ registry });
    const good = codec.encode([{ a: 1 }, point(1, 2)]);
    expect(() => codec.decode(good.subarray(0, good.length - 1))).toThrow(DecodeError);
    expect(codec.decode(good)).toStrictEqual([{ a: 1 }, point(1, 2)]);
  });
});
