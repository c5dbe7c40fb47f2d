/**
 * The marker the default {@link ReferenceHooks.isReference} looks for: an object that has this
 * property (any value, own or inherited) is encoded by reference. Put it on a prototype to mark
 * every instance of a class at no per-instance cost.
 */
export const referenceMarker: unique symbol = Symbol.for('@msc/serialization.reference');

/**
 * How a codec hands values that must not be copied (capabilities, sequences, byte streams) to the
 * session, and gets live values back. The codec knows nothing of sessions: it only asks these hooks.
 *
 * Order and timing (what the session may rely on):
 * - `isReference` is called during the value walk for every object that is not plain data (not a
 *   plain object, array or `Map`; so for class instances, `Date`s, typed arrays, errors, ...). It
 *   must be cheap and pure, and must not call `encode`.
 * - `encodeReference` is called once per occurrence (the same object twice gives two calls), after
 *   the walk and before `encode` returns, in depth-first pre-order: the order the values appear when
 *   the value is read left to right (arrays by index, objects and contracts by field order, `Map`s key
 *   then value, `Set`s by item). It may call `encode` (for example to encode something else).
 * - `decodeReference` is called once per descriptor, in the same order, before any part of the
 *   decoded value that contains it is built. It may call `decode`.
 * - If `encode` throws after some `encodeReference` calls (a later hook threw, or the frame is too
 *   large), the frame is never produced: the session must undo what those calls did. Passing a
 *   per-message `context` to `encode` makes that easy.
 *
 * @typeParam Context what `encode(value, context)` / `decode(bytes, context)` pass through to the hooks
 */
export interface ReferenceHooks<Context = unknown> {
  /**
   * Says whether `value` travels by reference. Default: `referenceMarker in value`.
   * @param value an object that is not plain data (never a plain object, array or `Map`)
   */
  isReference?(value: object): boolean;
  /**
   * Turns a by-reference value into its wire descriptor: any plain encodable value (numbers,
   * strings, arrays, plain objects, contracts), but not another by-reference value.
   * @param value an object for which `isReference` returned true
   * @param context the `context` given to `encode`
   */
  encodeReference(value: object, context: Context): unknown;
  /**
   * Turns a descriptor back into the live value that takes its place in the decoded value. Throwing
   * makes `decode` fail with a `DecodeError` of code `reference-failed` (the thrown error as `cause`).
   * @param descriptor the decoded descriptor, as `encodeReference` returned it on the writer's side
   * @param context the `context` given to `decode`
   */
  decodeReference(descriptor: unknown, context: Context): unknown;
}

/** The default reference predicate: the object carries {@link referenceMarker}. */
export function hasReferenceMarker(value: object): boolean {
  return referenceMarker in value;
}
