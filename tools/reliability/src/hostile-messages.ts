import fc from 'fast-check';
import { Wire, WireReference } from './wire-peer.ts';

/**
 * fast-check generators of hostile session input: message sequences a broken or malicious peer could
 * send after a valid handshake. Ids come mostly from a small range so that forged ids often collide
 * with live entries (the root is export 0, stream ids of the session under attack are odd), and
 * sometimes are out of range or of the wrong type.
 */

/** Ids: mostly small (hitting live entries), sometimes hostile numbers or the wrong type. */
export const hostileId: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 6 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(-1, 1.5, 2 ** 31, 2 ** 32, 2 ** 32 - 1, 2 ** 53, Number.NaN, Infinity, -0),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('0', null, true, [], {}, new Uint8Array(2), undefined) },
);

/** Counts and credits: small, huge, negative, fractional or not numbers. */
export const hostileCount: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 64 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      2 ** 31,
      2 ** 32,
      2 ** 53,
      Number.MAX_SAFE_INTEGER,
      -1,
      0.5,
      Number.NaN,
      Infinity,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('many', null, [1], {}) },
);

/**
 * Capability and stream descriptors: mostly well-formed (the peer's own exports, fresh even stream
 * ids, as the dialer side chooses them), sometimes forged (the session's exports and answers, odd or
 * reused stream ids) or malformed.
 */
export const hostileDescriptor: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constant(0), fc.integer({ min: 0, max: 6 })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom(0, 1), fc.constantFrom(0, 1))
      .map(([id, isBytes, receiverGets]) => [3, id * 2, isBytes, receiverGets]),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constant(0), hostileId) },
  { weight: 1, arbitrary: fc.tuple(fc.constant(1), hostileId) }, // one of the session's own exports
  { weight: 1, arbitrary: fc.tuple(fc.constant(2), hostileId) }, // one of the session's answers
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constant(3),
      hostileId,
      fc.constantFrom(0, 1, 2),
      fc.constantFrom<unknown>(0, 1, 7, 'x'),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>([], [0], [9, 1], [0, 1, 2], 'descriptor', null, { kind: 0 }),
  },
);

/** Method names: real ones, dangerous ones (prototype, constructor, private), and random text. */
export const hostileMethod: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'add',
      'echo',
      'clone',
      'callBack',
      'count',
      'sum',
      'download',
      'big',
      'hang',
      'holdsSecret',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'constructor',
      '__proto__',
      'toString',
      'valueOf',
      'hasOwnProperty',
      '#secret',
      'secret',
      'reveal',
      'destroy',
      'then',
      'total',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null)) },
);

/** Payload values: data, references (forged descriptors), nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.string({ maxLength: 16 }),
    fc.constantFrom<unknown>(null, undefined, true, 1.5, -0, 2n ** 70n),
    fc.uint8Array({ maxLength: 16 }),
    hostileDescriptor.map((descriptor) => new WireReference(descriptor)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('a', 'b', '__proto__', 'constructor'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Call arguments: mostly an array, sometimes not. */
const hostileArguments: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.array(hostileValue, { maxLength: 4 }) },
  { weight: 1, arbitrary: hostileValue },
);

/**
 * Placeholder for a question id: the next unused one (`fresh`) or the most recent one (`latest`, to
 * pipeline on it). Resolved by {@link resolveQuestionIds} so that honest-looking calls get deep into a
 * sequence before a hostile message arrives.
 */
export class QuestionIdPlaceholder {
  readonly which: 'fresh' | 'latest';
  constructor(which: 'fresh' | 'latest') {
    this.which = which;
  }
}

/** Replaces the {@link QuestionIdPlaceholder}s of generated messages with real ids, in order. */
export function resolveQuestionIds(frames: readonly (readonly unknown[])[]): unknown[][] {
  let next = 1_000;
  const resolve = (field: unknown): unknown => {
    if (!(field instanceof QuestionIdPlaceholder)) return field;
    return field.which === 'fresh' ? ++next : next;
  };
  return frames.map((messages) =>
    messages.map((message) => (Array.isArray(message) ? message.map(resolve) : message)),
  );
}

/** Calls an honest peer could make (on the root, or pipelined on its latest call), and their finishes. */
const plausibleMessage: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('add', 'echo', 'clone', 'count', 'sum', 'download', 'hang', 'callBack'),
      fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.string({ maxLength: 6 })), { maxLength: 2 }),
    )
    .map(([method, args]) => [Wire.Call, new QuestionIdPlaceholder('fresh'), 0, 0, method, args]),
  fc
    .tuple(fc.constantFrom('add', 'clone', 'count'), fc.integer({ min: 0, max: 9 }))
    .map(([method, n]) => [
      Wire.Call,
      new QuestionIdPlaceholder('fresh'),
      1,
      new QuestionIdPlaceholder('latest'),
      method,
      [n],
    ]),
  fc.constant([Wire.Finish, new QuestionIdPlaceholder('latest')]),
);

/** One message a hostile peer sends after the handshake. */
export const hostileMessage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: plausibleMessage },
  {
    weight: 10,
    arbitrary: fc
      .tuple(hostileId, fc.constantFrom<unknown>(0, 0, 1, 2, 'x'), hostileId, hostileMethod, hostileArguments)
      .map((fields) => [Wire.Call, ...fields]),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(hostileId, fc.constantFrom<unknown>(0, 1, 2, 3, null), hostileValue)
      .map((fields) => [Wire.Return, ...fields]),
  },
  { weight: 4, arbitrary: hostileId.map((id) => [Wire.Finish, id]) },
  { weight: 3, arbitrary: fc.tuple(hostileId, hostileCount).map((fields) => [Wire.Release, ...fields]) },
  {
    weight: 2,
    arbitrary: fc.tuple(hostileId, hostileId).map((fields) => [Wire.DisembargoRequest, ...fields]),
  },
  { weight: 2, arbitrary: hostileId.map((id) => [Wire.DisembargoReply, id]) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        hostileId,
        fc.oneof(fc.array(hostileValue, { maxLength: 4 }), fc.uint8Array({ maxLength: 64 }), hostileValue),
      )
      .map((fields) => [Wire.StreamItems, ...fields]),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(hostileId, hostileCount, hostileCount, hostileCount)
      .map((fields) => [Wire.StreamCredit, ...fields]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(hostileId, fc.constantFrom<unknown>(0, 1, 2, null), hostileValue)
      .map((fields) => [Wire.StreamEnd, ...fields]),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(hostileId, hostileValue, fc.constantFrom<unknown>(undefined, 0, 1, 2, null))
      .map(([id, error, how]) =>
        how === undefined ? [Wire.StreamCancel, id, error] : [Wire.StreamCancel, id, error, how],
      ),
  },
  { weight: 1, arbitrary: hostileId.map((id) => [Wire.StreamDelivered, id]) },
  { weight: 1, arbitrary: hostileDescriptor.map((descriptor) => [Wire.Configure, descriptor]) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((bytes) => [Wire.Authenticate, bytes]) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom<unknown>('session', 'version', 'nonsense', 3), hostileValue, hostileValue)
      .map((fields) => [Wire.Abort, ...fields]),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.integer({ min: 15, max: 300 }), fc.constantFrom<unknown>(-1, 'Call', 2.5)),
        hostileValue,
      )
      .map((fields) => [...fields]),
  },
  { weight: 1, arbitrary: hostileValue }, // not even an array
);

/** What comes before the generated messages: the handshake, or a deliberately broken order. */
export type Opening = 'handshake' | 'hello-only' | 'configure-twice' | 'nothing';

/** The opening of a generated sequence: mostly the proper handshake. */
export const hostileOpening: fc.Arbitrary<Opening> = fc.constantFrom<Opening>(
  'handshake',
  'handshake',
  'handshake',
  'handshake',
  'hello-only',
  'configure-twice',
  'nothing',
);

/** A valid operation of an honest peer (for the "valid input keeps the session up" property). */
export type ValidOperation =
  | { readonly kind: 'add'; readonly n: number }
  | { readonly kind: 'echo'; readonly value: unknown }
  | { readonly kind: 'clone-then-add'; readonly n: number }
  | { readonly kind: 'count'; readonly to: number };

/** Valid operations, with plain data only. */
export const validOperation: fc.Arbitrary<ValidOperation> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map((n) => ({ kind: 'add' as const, n })),
  fc
    .oneof(
      fc.integer(),
      fc.string({ maxLength: 20 }),
      fc.array(fc.integer(), { maxLength: 5 }),
      fc.constant(null),
    )
    .map((value) => ({ kind: 'echo' as const, value })),
  fc.integer({ min: 0, max: 100 }).map((n) => ({ kind: 'clone-then-add' as const, n })),
  fc.integer({ min: 0, max: 20 }).map((to) => ({ kind: 'count' as const, to })),
);
