import type { ContractRegistry } from './contract-registry.ts';
import { DecodeError } from './decode-error.ts';
import { DecodeWalk, type UnknownContractPolicy } from './decode-walk.ts';
import { errorFromPayload } from './error-wire.ts';
import type { DecodeLimits } from './limits.ts';
import type { ReferenceHooks } from './reference-hooks.ts';
import { bigintSize, stringSize, valueFormSizes } from './value-form-measure.ts';
import type { ValueFormSettings } from './value-form-settings.ts';
import { contractTag, errorTag, referenceTag, typedArrayTags } from './wire-tags.ts';

// The reader of the value form (see `value-form.ts`): the value arrived by structured clone from a
// peer, so it is hostile input, checked as the CBOR reader checks a frame. Every object is
// recognised by its prototype (never by a `constructor` property, which a plain object may carry
// as data); every limit is checked before the part it bounds is walked; the size estimate grows as
// the walk goes and ends it past `maxBytes`. A value shared in the clone is walked (and counted)
// once per place it appears, and depth bounds the walk, so a cycle or a deep sharing graph is
// refused rather than followed.

/** What {@link readValueForm} made. */
export interface ValueFormRead {
  /** The value the form stands for. */
  readonly value: unknown;
  /** The form's size estimate (see `value-form.ts`). */
  readonly bytes: number;
}

const { small, number, bytesHeader, tag: tagSize } = valueFormSizes;

const typedArrayPrototypes: ReadonlySet<object> = new Set(
  [...typedArrayTags.values()].map((type) => type.prototype as object),
);
const numberValue = Number.prototype.valueOf;

/** What an object the form never holds is, for the error message (its class tag, read safely). */
function describe(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** One read: its running estimate and depth. */
class Reader {
  readonly #limits: DecodeLimits;
  readonly #registry: ContractRegistry;
  readonly #unknownContracts: UnknownContractPolicy;
  readonly #hooks: ReferenceHooks<any> | undefined;
  readonly #context: unknown;
  readonly #maxBytes: number;
  /** Made by the first contract: plans contract shapes as the CBOR decoder does. */
  #walk: DecodeWalk | undefined;
  #depth = 0;
  #allowReferences = true;
  /** The objects read so far, from this value or from the earlier ones of its frame (see {@link readValueForm}). */
  #seen: Set<object> | undefined;
  bytes = 0;

  constructor(
    form: ValueFormSettings<any>,
    context: unknown,
    maxBytes: number,
    seen: Set<object> | undefined,
  ) {
    this.#limits = form.limits;
    this.#registry = form.registry;
    this.#unknownContracts = form.unknownContracts;
    this.#hooks = form.hooks;
    this.#context = context;
    this.#maxBytes = maxBytes;
    this.#seen = seen;
  }

  #add(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.#maxBytes) {
      throw new DecodeError(
        'frame-too-large',
        `expected a frame of at most ${this.#maxBytes} bytes, got a structured clone estimated past that`,
      );
    }
  }

  read(value: unknown): unknown {
    switch (typeof value) {
      case 'string':
        this.#string(value);
        return value;
      case 'number':
        this.#add(number);
        return value;
      case 'object':
        if (value === null) {
          this.#add(small);
          return value;
        }
        return this.#object(value);
      case 'boolean':
      case 'undefined':
        this.#add(small);
        return value;
      case 'bigint':
        this.#bigint(value);
        return value;
      default:
        throw new DecodeError('malformed', `expected a cloneable value, got a ${typeof value}`);
    }
  }

  #string(value: string): void {
    const limit = this.#limits.maxStringBytes;
    if (value.length > limit || (value.length * 3 > limit && utf8Length(value) > limit)) {
      throw new DecodeError(
        'string-too-long',
        `expected strings of at most ${limit} UTF-8 bytes, got one of ${value.length} UTF-16 units`,
      );
    }
    this.#add(stringSize(value));
  }

  #bigint(value: bigint): void {
    const limit = this.#limits.maxBigIntBytes;
    const magnitude = value < 0n ? -1n - value : value;
    if (magnitude >> BigInt(limit * 8) !== 0n) {
      throw new DecodeError(
        'bigint-too-large',
        `expected a bigint of at most ${limit} bytes, got a longer one`,
      );
    }
    this.#add(bigintSize(value));
  }

  #object(value: object): unknown {
    if (++this.#depth > this.#limits.maxDepth) {
      throw new DecodeError('too-deep', `expected values nested at most ${this.#limits.maxDepth} deep`);
    }
    this.#once(value);
    try {
      const prototype = Object.getPrototypeOf(value);
      if (prototype === Object.prototype) return this.#plain(value as Record<string, unknown>);
      if (prototype === Array.prototype) return this.#array(value as unknown[]);
      if (typedArrayPrototypes.has(prototype)) return this.#view(value as ArrayBufferView);
      if (prototype === Map.prototype) return this.#map(value as Map<unknown, unknown>);
      if (prototype === Set.prototype) return this.#set(value as Set<unknown>);
      if (prototype === Date.prototype) {
        this.#add(number);
        return value;
      }
      if (prototype === ArrayBuffer.prototype) {
        if ((value as { resizable?: boolean }).resizable === true) {
          throw new DecodeError('malformed', 'expected a fixed-length ArrayBuffer, got a resizable one');
        }
        this.#add(bytesHeader + (value as ArrayBuffer).byteLength);
        return value;
      }
      throw new DecodeError(
        'malformed',
        `expected plain data, a Map, a Set, a Date, an ArrayBuffer or a typed array in a value form, got ${describe(value)} (errors, contracts and capabilities travel as tagged items)`,
      );
    } finally {
      this.#depth--;
    }
  }

  /**
   * Refuses an object read before. Every object in an honest form is its own (the writer copies what
   * it walks; only a contract's lists of names are shared, and `#strings` reads them), while a clone
   * carries an object met twice as a back-reference of a couple of bytes: read twice, a few such
   * references nested (each level twice the next) would cost a walk exponential in what arrived.
   */
  #once(value: object): void {
    const seen = (this.#seen ??= new Set());
    if (seen.has(value)) {
      throw new DecodeError('malformed', 'expected every object once in a value form, got one in two places');
    }
    seen.add(value);
  }

  #plain(object: Record<string, unknown>): Record<string, unknown> {
    // Own enumerable string keys are all a clone makes; Object.keys allocates their list, but the
    // clone already built the object, so the check costs no more than what arrived.
    const keys = Object.keys(object);
    const limit = this.#limits.maxRecordKeys;
    if (keys.length > limit) {
      throw new DecodeError(
        'record-too-wide',
        `expected objects of at most ${limit} keys, got ${keys.length}`,
      );
    }
    this.#add(small);
    // As the CBOR decoder reads it: no key ever names a prototype, even as an own property. Such an
    // object is built afresh with `__proto__` read as `__proto_` (of two keys that then share a name,
    // the last wins), each value read once.
    if (keys.includes('__proto__')) return this.#plainRenamed(object, keys);
    for (const key of keys) {
      this.#string(key);
      const item = object[key];
      const read = this.read(item);
      if (read !== item) object[key] = read;
    }
    return object;
  }

  #plainRenamed(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
    const copy: Record<string, unknown> = {};
    for (const key of keys) {
      this.#string(key);
      const read = this.read(object[key]);
      // Quoted: builds shorten property names ending in _ (config/internal-properties.js), never a quoted key.
      copy[key === '__proto__' ? '__proto_' : key] = read;
    }
    return copy;
  }

  #length(length: number): void {
    const limit = this.#limits.maxCollectionLength;
    if (length > limit) {
      throw new DecodeError('collection-too-long', `expected at most ${limit} items, got ${length}`);
    }
  }

  #array(array: unknown[]): unknown {
    const length = array.length;
    this.#length(length);
    this.#add(small);
    if (length === 2) {
      const head = array[0];
      if (typeof head === 'object' && head !== null && Object.getPrototypeOf(head) === Number.prototype) {
        this.#add(tagSize);
        return this.#tagged(numberValue.call(head), array[1]);
      }
    }
    // A fresh array, packed (a structured clone of a holey array takes V8's slow sparse format), and
    // without the properties besides the items. A hole is refused: the writer fills every item, and a
    // sparse array of a large length clones to a few bytes, which would cost a walk of its length.
    const copy: unknown[] = [];
    for (let index = 0; index < length; index++) {
      const item = array[index];
      if (item === undefined && !(index in array)) {
        throw new DecodeError(
          'malformed',
          `expected an array without holes, got one missing item ${index} of ${length}`,
        );
      }
      copy.push(this.read(item));
    }
    return copy;
  }

  #map(map: Map<unknown, unknown>): Map<unknown, unknown> {
    this.#length(map.size);
    this.#add(small + tagSize);
    const copy = new Map<unknown, unknown>();
    for (const [key, item] of map) copy.set(this.read(key), this.read(item));
    return copy;
  }

  #set(set: Set<unknown>): Set<unknown> {
    this.#length(set.size);
    this.#add(small + tagSize);
    const copy = new Set<unknown>();
    for (const item of set) copy.add(this.read(item));
    return copy;
  }

  #view(view: ArrayBufferView): ArrayBufferView {
    const buffer = view.buffer;
    if (!(buffer instanceof ArrayBuffer)) {
      throw new DecodeError(
        'malformed',
        `expected a typed array over its own memory, got one over a ${describe(buffer)}`,
      );
    }
    if ((buffer as { resizable?: boolean }).resizable === true) {
      throw new DecodeError(
        'malformed',
        'expected a typed array over a fixed-length buffer, got a resizable one',
      );
    }
    if (view.byteOffset !== 0 || view.byteLength !== buffer.byteLength) {
      throw new DecodeError(
        'malformed',
        `expected a typed array spanning its whole buffer, got ${view.byteLength} bytes of a ${buffer.byteLength}-byte buffer`,
      );
    }
    this.#add(bytesHeader + buffer.byteLength);
    return view;
  }

  #tagged(tag: number, payload: unknown): unknown {
    switch (tag) {
      case contractTag:
        return this.#contract(payload);
      case errorTag:
        return errorFromPayload(this.read(payload), this.#registry);
      case referenceTag:
        return this.#reference(payload);
      default:
        throw new DecodeError('unsupported-tag', `expected a tag this form writes, got tag ${tag}`);
    }
  }

  #contract(payload: unknown): unknown {
    if (!Array.isArray(payload) || Object.getPrototypeOf(payload) !== Array.prototype || payload.length < 2) {
      throw new DecodeError('malformed', 'expected a contract as [typeChain, fieldNames, ...values]');
    }
    this.#once(payload);
    this.#depth++;
    try {
      this.#length(payload.length);
      this.#add(small);
      const typeChain = this.#strings(payload[0]);
      const fieldNames = this.#strings(payload[1]);
      const walk = (this.#walk ??= new DecodeWalk(this.#registry, undefined, this.#unknownContracts));
      const plan = walk.defineShape([typeChain, fieldNames]);
      // Checked before the values are read, as materializeContract would after.
      if (payload.length - 2 !== fieldNames.length) {
        throw new DecodeError(
          'malformed',
          `expected ${fieldNames.length} field values for a contract, got ${payload.length - 2}`,
        );
      }
      const items = new Array<unknown>(payload.length - 1);
      items[0] = plan;
      for (let index = 2; index < payload.length; index++) {
        if (!(index in payload))
          throw new DecodeError(
            'malformed',
            `expected a contract without holes, got one missing item ${index}`,
          );
        items[index - 1] = this.read(payload[index]);
      }
      walk.shapes.length = 0;
      return walk.materializeContract(items);
    } finally {
      this.#depth--;
    }
  }

  /** A list of strings (a contract's type chain or field names), checked and counted. */
  #strings(value: unknown): string[] {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) {
      throw new DecodeError('malformed', 'expected a contract shape of lists of strings');
    }
    const length = value.length;
    if (length > this.#limits.maxRecordKeys) {
      throw new DecodeError(
        'record-too-wide',
        `expected a contract's type chain and field names of at most ${this.#limits.maxRecordKeys} names each`,
      );
    }
    this.#add(small);
    const list = new Array<string>(length);
    for (let index = 0; index < length; index++) {
      const name = value[index];
      if (typeof name !== 'string')
        throw new DecodeError('malformed', 'expected a contract shape of lists of strings');
      this.#string(name);
      list[index] = name;
    }
    return list;
  }

  #reference(payload: unknown): unknown {
    const hooks = this.#hooks;
    if (hooks === undefined) {
      throw new DecodeError(
        'reference-failed',
        'expected plain data, got by-reference values and this codec has no reference hooks',
      );
    }
    if (!this.#allowReferences)
      throw new DecodeError('malformed', 'expected plain data in a reference descriptor');
    this.#allowReferences = false;
    let descriptor: unknown;
    try {
      descriptor = this.read(payload);
    } finally {
      this.#allowReferences = true;
    }
    try {
      return hooks.decodeReference(descriptor, this.#context);
    } catch (error) {
      throw new DecodeError('reference-failed', 'decodeReference threw for a descriptor', { cause: error });
    }
  }
}

/** The UTF-8 length of `value` (lone surrogates count 3, as the CBOR writer writes them). */
function utf8Length(value: string): number {
  let bytes = 0;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if ((code & 0xfc00) === 0xd800 && (value.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}

/** Reads a value form (see `ValueForm.read`). */
export function readValueForm<Context>(
  form: ValueFormSettings<Context>,
  value: unknown,
  context: Context | undefined,
  maxBytes: number,
  seen?: Set<object>,
): ValueFormRead {
  const reader = new Reader(form, context, Math.min(maxBytes, form.limits.maxFrameBytes), seen);
  try {
    return { value: reader.read(value), bytes: reader.bytes };
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new DecodeError('malformed', `expected a well-formed value form: ${message}`, { cause: error });
  }
}
