import { type ContractRegistry, defaultRegistry } from './contract-registry.ts';
import type { UnknownContractPolicy } from './decode-walk.ts';
import { type DecodeLimitOverrides, type DecodeLimits, resolveLimits } from './limits.ts';
import { hasReferenceMarker, type ReferenceHooks } from './reference-hooks.ts';
import { readValueForm, type ValueFormRead } from './value-form-reader.ts';
import type { ValueFormSettings } from './value-form-settings.ts';
import { type ValueFormWrite, writeValueForm } from './value-form-writer.ts';

/**
 * The value form: what a codec value becomes to cross a structured-clone channel (a MessagePort)
 * without CBOR. The platform's structured clone copies plain data (numbers, strings, `bigint`s,
 * arrays, plain objects, `Map`, `Set`, `Date`, `ArrayBuffer` and typed arrays); what only this
 * package knows travels as a tagged item, an array `[new Number(tag), payload]` whose first item is a
 * boxed number (a value no codec value ever holds: `encode` refuses number objects, so no escaping
 * is needed):
 *
 * | tag (`wire-tags.ts`) | payload |
 * |---|---|
 * | `contractTag` | `[typeChain, fieldNames, ...fieldValues]` (an `UnknownContract` too) |
 * | `errorTag` | the error's wire form (`error-wire.ts`), in value form |
 * | `referenceTag` | the descriptor `encodeReference` returned (plain data) |
 *
 * The reader treats its input as hostile, as the CBOR reader does: every object is checked by its
 * exact class (anything the writer never produces, such as an `Error`, a `RegExp`, a boxed value
 * outside a tag's head, a `SharedArrayBuffer`, a resizable buffer or a typed array that does not span
 * its buffer, is a `DecodeError`), and the limits hold: `maxDepth`, `maxCollectionLength` (arrays,
 * `Map`s, `Set`s), `maxRecordKeys` (keys of one object), `maxStringBytes`, `maxBigIntBytes`, and
 * `maxFrameBytes` against a size estimate.
 *
 * The size estimate stands for the bytes the value would take as CBOR, give or take: 1 per
 * `undefined`, `null`, boolean and container header, 9 per number, `Date` and 64-bit `bigint`,
 * 1 + length (UTF-16 units) per string and object key, 5 + length per byte array (the whole
 * `ArrayBuffer` of a typed array), 3 per tag. Writer and reader compute it alike over the value form,
 * so an honest writer never sends what the reader refuses (the writer throws `frame-too-large`
 * first). It is an estimate, not an exact byte count.
 */

/** How a {@link ValueForm} is made; the same settings a `Codec` takes. */
export interface ValueFormOptions<Context = unknown> {
  /** The contracts and error classes this side knows. Default: {@link defaultRegistry}. */
  readonly registry?: ContractRegistry | undefined;
  /** How by-reference values become descriptors and back (as for a `Codec`). */
  readonly hooks?: ReferenceHooks<Context> | undefined;
  /** The limits (also `maxFrameBytes` against the size estimate on write). */
  readonly limits?: DecodeLimitOverrides | undefined;
  /** Whether errors carry their `stack`. Default false. */
  readonly errorStacks?: boolean | undefined;
  /** What a read contract with a wholly unknown type chain becomes: an `UnknownContract` (default) or a `DecodeError`, as for a `Codec`. */
  readonly unknownContracts?: UnknownContractPolicy | undefined;
}

/**
 * Turns codec values into their value form and back (see the file's header). Shared like a `Codec`:
 * it holds only its settings, and each call keeps its state on its own stack, so a hook may write or
 * read from inside a running call.
 *
 * @typeParam Context what `write` and `read` pass through to the hooks
 */
export class ValueForm<Context = unknown> implements ValueFormSettings<Context> {
  /** The limits in force, defaults filled in. */
  readonly limits: DecodeLimits;
  /** @internal */
  readonly registry: ContractRegistry;
  /** @internal */
  readonly hooks: ReferenceHooks<Context> | undefined;
  /** @internal */
  readonly isReference: ((value: object) => boolean) | undefined;
  /** @internal */
  readonly errorStacks: boolean;
  /** @internal */
  readonly unknownContracts: UnknownContractPolicy;

  /**
   * @param options see {@link ValueFormOptions}
   * @throws RangeError when a limit is not a positive integer
   */
  constructor(options: ValueFormOptions<Context> = {}) {
    this.limits = resolveLimits(options.limits);
    this.registry = options.registry ?? defaultRegistry;
    const hooks = options.hooks;
    this.hooks = hooks;
    this.isReference =
      hooks === undefined ? undefined : (hooks.isReference?.bind(hooks) ?? hasReferenceMarker);
    this.errorStacks = options.errorStacks ?? false;
    this.unknownContracts = options.unknownContracts ?? 'placeholder';
  }

  /**
   * The value form of `value`, its size estimate, and the buffers it may transfer (copies this call
   * made of large byte arrays, which no one else holds).
   *
   * @throws EncodeError as `Codec.encode` would for the same value (`frame-too-large` past
   *   `maxFrameBytes` of estimated size); whatever `encodeReference` throws, unchanged
   */
  write(value: unknown, context?: Context): ValueFormWrite {
    return writeValueForm(this, value, context);
  }

  /**
   * Checks a value form that arrived from a peer and turns it into the value it stands for (tagged
   * items become contracts, errors and references; everything else is checked and kept).
   *
   * Every object must appear once: an object met twice (a clone carries it as a back-reference of
   * a couple of bytes) is refused, as is an array with holes, so that what a read costs stays in
   * proportion to what arrived.
   *
   * @param value what arrived; it is read and may be modified in place (it belongs to the reader)
   * @param maxBytes the size estimate the value may reach (at most `limits.maxFrameBytes`)
   * @param seen the objects read from the same clone so far: pass one set to the reads of every
   *   value of one message (a frame's messages, say), so that an object shared between two of them
   *   is refused too; a fresh one per read by default
   * @throws DecodeError for any value this form never holds or one past a limit (`frame-too-large`
   *   past `maxBytes`); its cause the hook's error when `decodeReference` threw
   */
  read(
    value: unknown,
    context?: Context,
    maxBytes = this.limits.maxFrameBytes,
    seen?: Set<object>,
  ): ValueFormRead {
    return readValueForm(this, value, context, maxBytes, seen);
  }
}
