import { ByteParts } from './byte-parts.ts';
import type { ContractDefinition } from './contract-registry.ts';
import { EncodeError } from './encode-error.ts';
import { errorToPayload } from './error-wire.ts';
import { UnknownContract } from './unknown-contract.ts';
import { functionMessage, symbolMessage, unsupportedObjectMessage } from './unsupported-value.ts';
import { bigintSize, stringSize, valueFormSizes } from './value-form-measure.ts';
import type { ValueFormSettings } from './value-form-settings.ts';
import { contractTag, errorTag, referenceTag, typedArrayTags } from './wire-tags.ts';

// The writer of the value form (see `value-form.ts`). It walks the value as the CBOR writer does
// (`cbor-encoder.ts` and `encode-walk.ts`: the same classes claimed in the same order, the same
// errors), and builds a fresh tree: the structured clone then copies exactly what was walked (a
// getter runs once, a value changed by a hook in between cannot slip past), never the caller's own
// objects.

/** What {@link writeValueForm} made. */
export interface ValueFormWrite {
  /** The value form, to hand to a structured clone. */
  readonly value: unknown;
  /** Its size estimate (see `value-form.ts`). */
  readonly bytes: number;
  /** Buffers of copies the write made, which may be transferred instead of cloned (nobody else holds them). */
  readonly transfer: ArrayBuffer[];
}

/** The transfer list of a write that made no copies to transfer (shared: never modified). */
const noTransfer: ArrayBuffer[] = [];

/** Byte arrays at least this long are copied once and transferred: a clone would copy them twice. */
const transferBytes = 64 * 1024;

const typedArrayClasses: ReadonlySet<unknown> = new Set(typedArrayTags.values());

const { small, number, bytesHeader, tag: tagSize } = valueFormSizes;

function describe(value: object): string {
  const type = (value as { constructor?: unknown }).constructor;
  return typeof type === 'function' && type.name !== ''
    ? `an instance of ${type.name}`
    : 'an object with a custom prototype';
}

/** A tagged item: `[new Number(tag), payload]`. */
function tagged(tag: number, payload: unknown): unknown[] {
  return [new Number(tag), payload];
}

/** One write: its running estimate, the buffers it may transfer, the references met in value order. */
class Writer {
  readonly #form: ValueFormSettings<any>;
  bytes = 0;
  // Made at need: most messages hold no large bytes and no references.
  transfer: ArrayBuffer[] | undefined = undefined;
  references: object[] | undefined = undefined;
  holders: unknown[][] | undefined = undefined;
  allowReferences = true;

  constructor(form: ValueFormSettings<any>) {
    this.#form = form;
  }

  write(value: unknown): unknown {
    switch (typeof value) {
      case 'string':
        this.bytes += stringSize(value);
        return value;
      case 'number':
        this.bytes += number;
        return value;
      case 'object':
        if (value === null) {
          this.bytes += small;
          return value;
        }
        return this.#object(value);
      case 'boolean':
      case 'undefined':
        this.bytes += small;
        return value;
      case 'bigint':
        this.bytes += bigintSize(value);
        return value;
      case 'function':
        throw new EncodeError('unsupported-type', functionMessage);
      default:
        throw new EncodeError('unsupported-type', symbolMessage);
    }
  }

  #object(value: object): unknown {
    const type = value.constructor;
    if (type === Object) return this.#plain(value);
    if (type === Array) return this.#array(value as unknown[]);
    if (type === Uint8Array) return this.#bytes(value as Uint8Array, Uint8Array);
    if (type === ByteParts) return this.#byteParts(value as ByteParts);
    if (type === Map) return this.#map(value as Map<unknown, unknown>);
    // What the CBOR writer asks its walk about, in the walk's order (encode-walk.ts, `write`).
    const form = this.#form;
    const definition: ContractDefinition | undefined =
      typeof type === 'function' ? form.registry.byClass(type) : undefined;
    if (definition !== undefined) {
      const record = value as Record<string, unknown>;
      return this.#contract(
        definition.typeChain,
        definition.fields,
        definition.fields.map((field) => record[field]),
      );
    }
    if (form.isReference?.(value)) return this.#reference(value);
    if (type === Set) return this.#set(value as Set<unknown>);
    if (ArrayBuffer.isView(value)) return this.#view(value, type);
    if (value instanceof Date) {
      this.bytes += number;
      // Copied at the call (docs/ownership.md): the clone happens at the flush, later in the turn.
      return new Date(value.getTime());
    }
    if (value instanceof Error) {
      this.bytes += small + tagSize;
      return tagged(errorTag, this.write(errorToPayload(value, form.errorStacks)));
    }
    if (type === UnknownContract) {
      const unknown = value as UnknownContract;
      const names = Object.keys(unknown.fields);
      return this.#contract(
        unknown.typeChain,
        names,
        names.map((name) => unknown.fields[name]),
      );
    }
    if (value instanceof ArrayBuffer) {
      this.bytes += bytesHeader + value.byteLength;
      // Copied at the call (docs/ownership.md), which also makes a resizable buffer a fixed one
      // (the reader refuses resizable buffers).
      return value.slice(0);
    }
    if (value instanceof Map) return this.#map(value);
    if (Array.isArray(value)) return this.#array(value);
    if (value instanceof Set) return this.#set(value);
    const prototype = Object.getPrototypeOf(value);
    // A null-prototype object, or a plain object from another realm: written as an object.
    if (prototype === null || Object.getPrototypeOf(prototype) === null) return this.#plain(value);
    throw new EncodeError('unsupported-type', unsupportedObjectMessage(value));
  }

  #plain(object: object): Record<string, unknown> {
    const record = object as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    this.bytes += small;
    // As the CBOR writer reads it (own enumerable keys, in order; see cbor-encoder.ts).
    const checkOwn = typeof record.hasOwnProperty === 'function';
    for (const key in record) {
      // biome-ignore lint/suspicious/noPrototypeBuiltins: the form V8 optimizes inside for-in
      if (checkOwn && !record.hasOwnProperty(key)) continue;
      this.bytes += stringSize(key);
      const item = this.write(record[key]);
      if (key === '__proto__') {
        Object.defineProperty(copy, key, {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        copy[key] = item;
      }
    }
    return copy;
  }

  #array(array: readonly unknown[]): unknown[] {
    const length = array.length;
    // Packed, filled by push: V8 clones an array made by `new Array(length)` (holey, even once
    // every item is set) in its slow sparse format, item by item with its index.
    const copy: unknown[] = [];
    this.bytes += small;
    for (let index = 0; index < length; index++) copy.push(this.write(array[index]));
    return copy;
  }

  #map(map: Map<unknown, unknown>): Map<unknown, unknown> {
    const copy = new Map<unknown, unknown>();
    this.bytes += small + tagSize;
    for (const [key, item] of map) copy.set(this.write(key), this.write(item));
    return copy;
  }

  #set(set: Set<unknown>): Set<unknown> {
    const copy = new Set<unknown>();
    this.bytes += small + tagSize;
    for (const item of set) copy.add(this.write(item));
    return copy;
  }

  /** A typed array of one of the codec's classes (a Node `Buffer` goes as a `Uint8Array`). */
  #view(view: ArrayBufferView, type: unknown): ArrayBufferView {
    if (view instanceof Uint8Array) return this.#bytes(view, Uint8Array);
    if (!typedArrayClasses.has(type)) {
      throw new EncodeError(
        'unsupported-type',
        `expected a typed array, got ${(type as { name?: string } | undefined)?.name}`,
      );
    }
    return this.#bytes(view, type as new (source: ArrayBufferView) => ArrayBufferView);
  }

  /**
   * Every typed array is copied here, at the call (docs/ownership.md): the structured clone happens
   * at the end-of-turn flush, and a change the caller makes in between must not be sent. The copy
   * spans its own buffer, so the clone carries just its bytes; a large one is transferred, not
   * cloned again.
   */
  #bytes(view: ArrayBufferView, type: new (source: ArrayBufferView) => ArrayBufferView): ArrayBufferView {
    return this.#copied(new type(view));
  }

  /** Counts `copy`, made at the call and spanning its own buffer, and transfers it when large. */
  #copied<View extends ArrayBufferView>(copy: View): View {
    this.bytes += bytesHeader + copy.byteLength;
    if (copy.byteLength >= transferBytes) (this.transfer ??= []).push(copy.buffer as ArrayBuffer);
    return copy;
  }

  /** The parts joined into the one array the reader gets: the copy made at the call (as `#bytes`). */
  #byteParts(value: ByteParts): Uint8Array {
    // Summed here, as the CBOR writer does: the pieces as they are now, not as they were at construction.
    let length = 0;
    for (const part of value.parts) length += part.byteLength;
    const joined = new Uint8Array(length);
    let offset = 0;
    for (const part of value.parts) {
      joined.set(part, offset);
      offset += part.byteLength;
    }
    return this.#copied(joined);
  }

  #contract(
    typeChain: readonly string[],
    fieldNames: readonly string[],
    values: readonly unknown[],
  ): unknown {
    // [tag head, [typeChain, fieldNames, ...values]]
    this.bytes += small + tagSize + small + small + small;
    for (const name of typeChain) this.bytes += stringSize(name);
    for (const name of fieldNames) this.bytes += stringSize(name);
    // Packed, as `#array` makes its copies.
    const payload: unknown[] = [typeChain, fieldNames];
    for (let index = 0; index < values.length; index++) payload.push(this.write(values[index]));
    return tagged(contractTag, payload);
  }

  #reference(value: object): unknown {
    if (!this.allowReferences) {
      throw new EncodeError(
        'invalid-reference',
        `expected plain data in a reference descriptor, got ${describe(value)} that travels by reference`,
      );
    }
    this.bytes += small + tagSize;
    // The descriptor is filled in after the walk, when the hooks run (as in Codec.encode).
    const holder = tagged(referenceTag, undefined);
    (this.references ??= []).push(value);
    (this.holders ??= []).push(holder);
    return holder;
  }
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** Runs one walk step, turning what is not an `EncodeError` into one (as `Codec.encode` does). */
function walk(writer: Writer, value: unknown): unknown {
  try {
    return writer.write(value);
  } catch (error) {
    if (error instanceof EncodeError) throw error;
    if (isStackOverflow(error)) {
      throw new EncodeError(
        'too-deep',
        'expected a value of bounded depth without cycles, the walk overflowed the stack',
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new EncodeError('unsupported-type', `expected an encodable value, encoding failed: ${message}`, {
      cause: error,
    });
  }
}

/**
 * The value form of `value` (see `ValueForm.write`). The hooks run after the walk, in value
 * order, as in `Codec.encode`; each descriptor is then walked as plain data.
 */
export function writeValueForm<Context>(
  form: ValueFormSettings<Context>,
  value: unknown,
  context: Context | undefined,
): ValueFormWrite {
  const writer = new Writer(form);
  const result = walk(writer, value);
  const references = writer.references;
  if (references !== undefined) {
    const hooks = form.hooks!;
    const descriptors = new Array<unknown>(references.length);
    for (let index = 0; index < references.length; index++) {
      descriptors[index] = hooks.encodeReference(references[index]!, context as Context);
    }
    writer.allowReferences = false;
    for (let index = 0; index < references.length; index++) {
      writer.holders![index]![1] = walk(writer, descriptors[index]);
    }
  }
  const maxFrameBytes = form.limits.maxFrameBytes;
  if (writer.bytes > maxFrameBytes) {
    throw new EncodeError(
      'frame-too-large',
      `expected a frame of at most ${maxFrameBytes} bytes, the value needs about ${writer.bytes} (an estimate: it travels as a structured clone)`,
    );
  }
  return { value: result, bytes: writer.bytes, transfer: writer.transfer ?? noTransfer };
}
