import type { ByteParts } from './byte-parts.ts';
import { decodeFrame } from './cbor-decoder.ts';
import { encodeItem } from './cbor-encoder.ts';
import { type ContractRegistry, defaultRegistry } from './contract-registry.ts';
import type { DecodeBudget } from './decode-budget.ts';
import { DecodeError } from './decode-error.ts';
import { DecodeWalk, type UnknownContractPolicy } from './decode-walk.ts';
import { EncodeError } from './encode-error.ts';
import { beginWalk, EncodeWalk, endWalk, isWalking } from './encode-walk.ts';
import { type DecodeLimitOverrides, type DecodeLimits, resolveLimits } from './limits.ts';
import { hasReferenceMarker, type ReferenceHooks } from './reference-hooks.ts';
import { descriptorsTag, referenceFrameTag } from './wire-tags.ts';

/** How a {@link Codec} is made. Every option has a default; `new Codec()` is a working codec. */
export interface CodecOptions<Context = unknown> {
  /** The contracts and error classes this side knows. Default: {@link defaultRegistry}. */
  readonly registry?: ContractRegistry | undefined;
  /** How by-reference values (capabilities, sequences, byte streams) are turned into descriptors and back. Default: none (such values cannot be encoded, and frames carrying them fail to decode). */
  readonly hooks?: ReferenceHooks<Context> | undefined;
  /** Decode limits (also `maxFrameBytes` on encode). Default: {@link defaultLimits}. */
  readonly limits?: DecodeLimitOverrides | undefined;
  /** Whether errors carry their `stack` on the wire. Default false: stacks reveal paths and code structure. */
  readonly errorStacks?: boolean | undefined;
  /** What a decoded contract with a wholly unknown type chain becomes: an `UnknownContract` (default) or a `DecodeError`. */
  readonly unknownContracts?: UnknownContractPolicy | undefined;
  /**
   * Whether decoded byte arrays and typed arrays are copies. Default false: they are views into the
   * frame (no copy), so the frame's memory must not be reused while they live.
   */
  readonly copyBytes?: boolean | undefined;
  /**
   * Whether plain objects are written as records (keys once per shape per frame, then values
   * only) instead of CBOR maps. Default true: smaller and faster to decode. Record definitions travel
   * in-band in every frame, so no state is shared between frames or peers, and a decoder reads both
   * forms; turning it off only makes frames readable by generic CBOR tools.
   */
  readonly records?: boolean | undefined;
}

// A three-byte tag header, as CBOR writes a tag number between 256 and 65535.
function tagHeader(tag: number): number[] {
  return [0xd9, tag >> 8, tag & 0xff];
}
const referenceFrameHeader = new Uint8Array([
  ...tagHeader(referenceFrameTag),
  0x82,
  ...tagHeader(descriptorsTag),
]);

// Set by Codec's static block, which alone may call its private #encode: see encodeFinishedBy.
let encodeWithFinisher: <Context>(
  codec: Codec<Context>,
  value: unknown,
  context: Context | undefined,
  finishBulk: () => Uint8Array | ByteParts,
) => Uint8Array | ByteParts;

/**
 * `codec.encode(value, context)` with a frame that has bulk bytes finished by `finishBulk` (the
 * writer's `gatherBulk`, for encode-parts.ts): a function of this module, not a method, so that the
 * codec's declarations name nothing more and a page that never gathers carries no gathering.
 */
export function encodeFinishedBy<Context>(
  codec: Codec<Context>,
  value: unknown,
  context: Context | undefined,
  finishBulk: () => Uint8Array | ByteParts,
): Uint8Array | ByteParts {
  return encodeWithFinisher(codec, value, context, finishBulk);
}

/**
 * Encodes values to CBOR frames and back, with data contracts, errors and by-reference hooks. A
 * session makes one per session with its own hooks; a codec is cheap to keep and reuses its walks
 * (no allocation per call beyond the output). CBOR is read and written by this package
 * (`cbor-encoder.ts`, `cbor-decoder.ts`).
 *
 * Supported values: `undefined`, `null`, booleans, numbers (`-0` decodes as `0`), strings (well-formed
 * UTF-16), `bigint` (any size, up to `limits.maxBigIntBytes`), `Date`, `Uint8Array` and the other
 * typed arrays, `ArrayBuffer`, arrays, plain objects, `Map`, `Set`, `Error` and subclasses, registered
 * contracts, {@link UnknownContract}s, and by-reference values the hooks claim. Everything else
 * (functions, symbols, unregistered class instances, `RegExp`, `Promise`, cycles) is an `EncodeError`.
 *
 * Reentrancy: `decode` may be called from inside a hook of a running `decode`. `encode` may be called
 * from `encodeReference` (hooks run after the value walk), but not from code that runs during the
 * walk (`isReference`, property getters): that is an `EncodeError` with code `reentrant-encode`,
 * because the CBOR writer's state is global to the process.
 *
 * @typeParam Context what `encode` and `decode` pass through to the hooks
 */
export class Codec<Context = unknown> {
  /** The limits in force, defaults filled in. */
  readonly limits: DecodeLimits;
  readonly #registry: ContractRegistry;
  readonly #hooks: ReferenceHooks<Context> | undefined;
  readonly #isReference: ((value: object) => boolean) | undefined;
  readonly #errorStacks: boolean;
  readonly #unknownContracts: UnknownContractPolicy;
  readonly #records: boolean;
  readonly #copyBytes: boolean;
  #idleEncodeWalk: EncodeWalk | undefined;
  #idleDecodeWalk: DecodeWalk | undefined;

  /**
   * @param options see {@link CodecOptions}
   * @throws RangeError when a limit is not a positive integer
   */
  constructor(options: CodecOptions<Context> = {}) {
    this.limits = resolveLimits(options.limits);
    this.#registry = options.registry ?? defaultRegistry;
    this.#hooks = options.hooks;
    const hooks = options.hooks;
    this.#isReference =
      hooks === undefined ? undefined : (hooks.isReference?.bind(hooks) ?? hasReferenceMarker);
    this.#errorStacks = options.errorStacks ?? false;
    this.#unknownContracts = options.unknownContracts ?? 'placeholder';
    this.#records = options.records ?? true;
    this.#copyBytes = options.copyBytes ?? false;
  }

  /**
   * Encodes `value` into one frame.
   *
   * Ownership: a result that spans its whole `ArrayBuffer` is the caller's (a frame with
   * by-reference values, or with a byte array of 32 KiB or more, which is copied once, straight into
   * a buffer of the frame's exact size): it may be transferred to another thread. Any other result is
   * a view into the writer's shared output buffer: use it (send it, copy it; it is never written
   * over) but do not transfer its `ArrayBuffer`.
   *
   * @param value the value to encode
   * @param context passed to `encodeReference` for every by-reference value in `value`
   * @throws EncodeError when the value cannot be encoded (see its `code`)
   * @throws whatever `encodeReference` throws, unchanged
   */
  encode(value: unknown, context?: Context): Uint8Array {
    return this.#encode(value, context, undefined) as Uint8Array;
  }

  static {
    encodeWithFinisher = (codec, value, context, finishBulk) => codec.#encode(value, context, finishBulk);
  }

  /** {@link Codec.encode}, with a frame that has bulk bytes finished by `finishBulk` (see encodeFinishedBy). */
  #encode(
    value: unknown,
    context: Context | undefined,
    finishBulk: (() => Uint8Array | ByteParts) | undefined,
  ): Uint8Array | ByteParts {
    if (isWalking()) {
      throw new EncodeError(
        'reentrant-encode',
        'expected encode to be called outside a running value walk (from isReference, a getter, ...), it was called inside one',
      );
    }
    const walk = this.#idleEncodeWalk ?? new EncodeWalk(this.#registry, this.#isReference, this.#errorStacks);
    this.#idleEncodeWalk = undefined;
    try {
      const body = this.#walk(walk, value, finishBulk);
      if (walk.references.length === 0) {
        // A gathered frame (ByteParts) is checked by encodeParts; one with references is never gathered.
        return body instanceof Uint8Array ? this.#checkSize(body) : body;
      }
      // Hooks run now, after the walk and outside the writer, in value order. `body` stays valid while
      // they run: the writer never writes over output it has returned.
      const hooks = this.#hooks!;
      const references = walk.references;
      const descriptors = new Array<unknown>(references.length);
      for (let index = 0; index < references.length; index++) {
        descriptors[index] = hooks.encodeReference(references[index]!, context as Context);
      }
      walk.reset();
      walk.allowReferences = false;
      const descriptorBytes = this.#walk(walk, descriptors) as Uint8Array;
      const bytes = body as Uint8Array;
      const frame = new Uint8Array(referenceFrameHeader.length + descriptorBytes.length + bytes.length);
      frame.set(referenceFrameHeader, 0);
      frame.set(descriptorBytes, referenceFrameHeader.length);
      frame.set(bytes, referenceFrameHeader.length + descriptorBytes.length);
      return this.#checkSize(frame);
    } finally {
      walk.reset();
      this.#idleEncodeWalk = walk;
    }
  }

  /**
   * Decodes one frame. Hostile input is safe: the frame is checked against the limits by a single
   * check before anything is built (which also prices it, so what decoding builds is
   * linear in the frame's bytes), and no key ever reaches a prototype.
   *
   * Byte arrays and typed arrays in the result are views into `bytes` unless the codec was made
   * with `copyBytes: true`.
   *
   * @param bytes exactly one frame
   * @param context passed to `decodeReference` for every descriptor in the frame
   * @param budget the sending peer's budget across frames, charged with this frame's work after the check
   * @throws DecodeError for any input that is not a frame this codec can read (the only error it throws)
   */
  decode(bytes: Uint8Array, context?: Context, budget?: DecodeBudget): unknown {
    if (!(bytes instanceof Uint8Array)) {
      throw new DecodeError(
        'malformed',
        `expected a Uint8Array frame, got ${bytes === null ? 'null' : typeof bytes}`,
      );
    }
    const walk = this.#idleDecodeWalk ?? new DecodeWalk(this.#registry, this.#hooks, this.#unknownContracts);
    this.#idleDecodeWalk = undefined;
    walk.context = context;
    try {
      return decodeFrame(bytes, this.limits, budget, walk, this.#copyBytes);
    } catch (error) {
      throw toDecodeError(error);
    } finally {
      walk.reset();
      this.#idleDecodeWalk = walk;
    }
  }

  #walk(walk: EncodeWalk, value: unknown, finishBulk?: () => Uint8Array | ByteParts): Uint8Array | ByteParts {
    beginWalk();
    try {
      return encodeItem(value, walk, this.#records, finishBulk);
    } catch (error) {
      throw toEncodeError(error);
    } finally {
      endWalk();
    }
  }

  #checkSize(frame: Uint8Array): Uint8Array {
    checkFrameSize(frame.length, this.limits.maxFrameBytes);
    return frame;
  }
}

/**
 * The encoder's frame limit, for `encode` and `encodeParts` alike.
 * @throws EncodeError `frame-too-large` when `size` is over `maxFrameBytes`
 */
export function checkFrameSize(size: number, maxFrameBytes: number): void {
  if (size > maxFrameBytes) {
    throw new EncodeError(
      'frame-too-large',
      `expected a frame of at most ${maxFrameBytes} bytes, the value needs ${size}`,
    );
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function toEncodeError(error: unknown): EncodeError {
  if (error instanceof EncodeError) return error;
  if (isStackOverflow(error)) {
    return new EncodeError(
      'too-deep',
      'expected a value of bounded depth without cycles, the walk overflowed the stack',
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EncodeError('unsupported-type', `expected an encodable value, encoding failed: ${message}`, {
    cause: error,
  });
}

function toDecodeError(error: unknown): DecodeError {
  if (error instanceof DecodeError) return error;
  if (isStackOverflow(error)) {
    return new DecodeError('too-deep', 'expected a frame the stack can hold, decoding overflowed it', {
      cause: error,
    });
  }
  // The reader throws its own errors; anything else (a contract's field, an error's payload the
  // reader could not make sense of) is malformed input.
  const message = error instanceof Error ? error.message : String(error);
  return new DecodeError('malformed', `expected a well-formed frame: ${message}`, { cause: error });
}
