import type { ContractDefinition, ContractRegistry } from './contract-registry.ts';
import { EncodeError } from './encode-error.ts';
import { errorToPayload } from './error-wire.ts';
import { UnknownContract } from './unknown-contract.ts';
import { unsupportedObjectMessage } from './unsupported-value.ts';
import {
  arrayBufferTag,
  contractTag,
  dateMillisecondsTag,
  errorTag,
  referenceTag,
  shapeDefinitionTag,
} from './wire-tags.ts';

// How values that are not plain data are written. The CBOR writer (`cbor-encoder.ts`) writes plain
// objects, arrays, `Map`s, `Uint8Array`s and primitives itself and hands every other object to the
// walk (`write`), which writes its tag and payload or leaves it to the writer. Plain data never
// reaches the walk at all: that is why plain data costs no more than CBOR.

/** An in-band shape definition, written as the first item of a contract's first instance in a frame. */
export class ShapeDefinition {
  readonly payload: readonly [readonly string[], readonly string[]];
  constructor(typeChain: readonly string[], fieldNames: readonly string[]) {
    this.payload = [typeChain, fieldNames];
  }
}

/** Writes an instance of a registered contract (contract-instances.ts), installed with the first definition. */
type ContractWriter = (
  walk: EncodeWalk,
  value: object,
  definition: ContractDefinition,
  writeTag: (tag: number) => void,
  encode: (value: unknown) => void,
) => void;

let writeContract: ContractWriter | undefined;

/** @internal Installs the writing of registered contracts' instances (contract-definition.ts, before any definition exists). */
export function installContractWriter(write: ContractWriter): void {
  writeContract = write;
}

function describe(value: object): string {
  const type = (value as { constructor?: unknown }).constructor;
  return typeof type === 'function' && type.name !== ''
    ? `an instance of ${type.name}`
    : 'an object with a custom prototype';
}

/**
 * The state of one value walk: the by-reference values met so far in value order, and the contract
 * shapes already defined in this frame. One per codec, reused.
 */
export class EncodeWalk {
  readonly registry: ContractRegistry;
  readonly isReference: ((value: object) => boolean) | undefined;
  readonly errorStacks: boolean;
  /** False while encoding descriptors: a descriptor must not contain a by-reference value. */
  allowReferences = true;
  /** The by-reference values met, in value order (depth-first, as written). */
  readonly references: object[] = [];
  #shapeIds: Map<object | string, number> | undefined;
  #shapeCount = 0;

  constructor(
    registry: ContractRegistry,
    isReference: ((value: object) => boolean) | undefined,
    errorStacks: boolean,
  ) {
    this.registry = registry;
    this.isReference = isReference;
    this.errorStacks = errorStacks;
  }

  /** Forgets everything about the last frame. */
  reset(): void {
    // Setting an array's length is a runtime call even when it changes nothing: skip it when empty.
    if (this.references.length > 0) this.references.length = 0;
    this.#shapeIds?.clear();
    this.#shapeCount = 0;
    this.allowReferences = true;
  }

  /**
   * Writes `value` if the walk claims it: its tag through `writeTag` (none for copies of `Map` and
   * `Array` subclasses), then its payload through `encode`, so nested values are walked too. Returns
   * false, having written nothing, for what the CBOR writer writes itself. Hot path: keep the common
   * cases first.
   * @throws EncodeError for a value neither can write, or a by-reference value inside a descriptor
   */
  write(value: object, writeTag: (tag: number) => void, encode: (value: unknown) => void): boolean {
    const type = (value as { constructor?: unknown }).constructor;
    const definition = typeof type === 'function' ? this.registry.byClass(type) : undefined;
    if (definition !== undefined) {
      // A registered class: a definition exists, so the writer was installed with it.
      writeContract!(this, value, definition, writeTag, encode);
    } else if (type === ShapeDefinition) {
      writeTag(shapeDefinitionTag);
      encode((value as ShapeDefinition).payload);
    } else if (this.isReference?.(value)) {
      if (!this.allowReferences) {
        throw new EncodeError(
          'invalid-reference',
          `expected plain data in a reference descriptor, got ${describe(value)} that travels by reference`,
        );
      }
      writeTag(referenceTag);
      // Only the index goes into the body; the hook runs after the walk (see Codec.encode), so the
      // session may encode from inside its hook, which the shared writer could not survive mid-walk.
      encode(this.references.push(value) - 1);
    } else if (type === Set || ArrayBuffer.isView(value)) {
      return false; // the writer's own tags
    } else if (value instanceof Date) {
      writeTag(dateMillisecondsTag);
      encode(value.getTime());
    } else if (value instanceof Error) {
      writeTag(errorTag);
      encode(errorToPayload(value, this.errorStacks));
    } else if (type === UnknownContract) {
      writeTag(contractTag);
      const unknown = value as UnknownContract;
      const fieldNames = Object.keys(unknown.fields);
      const key = `${unknown.typeChain.join('\u0000')}\u0001${fieldNames.join('\u0000')}`;
      const payload = new Array<unknown>(fieldNames.length + 1);
      payload[0] = this.shapeItem(key, () => new ShapeDefinition(unknown.typeChain, fieldNames));
      for (let index = 0; index < fieldNames.length; index++)
        payload[index + 1] = unknown.fields[fieldNames[index]!];
      encode(payload);
    } else if (value instanceof ArrayBuffer) {
      writeTag(arrayBufferTag);
      encode(new Uint8Array(value));
    } else if (value instanceof Map) {
      encode(new Map(value));
    } else if (Array.isArray(value)) {
      encode(Array.from(value));
    } else if (value instanceof Set) {
      return false; // subclasses: written as a Set
    } else {
      const prototype = Object.getPrototypeOf(value);
      // A null-prototype object, or a plain object from another realm: the writer writes it as an object.
      if (prototype === null || Object.getPrototypeOf(prototype) === null) return false;
      throw new EncodeError('unsupported-type', unsupportedObjectMessage(value));
    }
    return true;
  }

  /**
   * A shape's id when this frame defined it already, else its definition (numbered next): what a
   * contract instance writes first (see contract-instances.ts).
   */
  shapeItem<Key extends object | string>(
    key: Key,
    make: (key: Key) => ShapeDefinition,
  ): ShapeDefinition | number {
    this.#shapeIds ??= new Map();
    const id = this.#shapeIds.get(key);
    if (id !== undefined) return id;
    // Shape ids are implicit: the decoder numbers definitions in the order it reads them, which is
    // the order they are written here (a definition precedes the fields that may reuse it).
    this.#shapeIds.set(key, this.#shapeCount++);
    return make(key);
  }
}

/** Whether a walk is running (then `encode` must not start another: the writer's state is global). */
let walking = false;

/** Whether a walk is running. */
export function isWalking(): boolean {
  return walking;
}

/** Marks a walk as running; the caller must call {@link endWalk} in a `finally`. */
export function beginWalk(): void {
  walking = true;
}

/** Ends the running walk. */
export function endWalk(): void {
  walking = false;
}
