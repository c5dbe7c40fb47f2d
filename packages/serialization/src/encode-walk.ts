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
// objects, arrays, `Map`s, `Uint8Array`s and primitives itself and asks the walk about every other
// object (`claim`), then writes the claimed value's tag (`tag`) and lets the walk write its payload
// (`write`). Plain data never reaches the walk at all: that is why plain data costs no more than CBOR.

/** What the claimed value is; `claim` decides, `getTag` and `write` act on it right after. */
enum Claim {
  Contract = 1,
  Shape = 2,
  Reference = 3,
  Error = 4,
  Unknown = 5,
  ArrayBuffer = 6,
  MapCopy = 7,
  ArrayCopy = 8,
  Unsupported = 9,
  Date = 10,
}

/** An in-band shape definition, written as the first item of a contract's first instance in a frame. */
export class ShapeDefinition {
  readonly payload: readonly [readonly string[], readonly string[]];
  constructor(typeChain: readonly string[], fieldNames: readonly string[]) {
    this.payload = [typeChain, fieldNames];
  }
}

const definitionShapes = new WeakMap<ContractDefinition, ShapeDefinition>();

function shapeOf(definition: ContractDefinition): ShapeDefinition {
  let shape = definitionShapes.get(definition);
  if (shape === undefined) {
    shape = new ShapeDefinition(definition.typeChain, definition.fields);
    definitionShapes.set(definition, shape);
  }
  return shape;
}

function describe(value: object): string {
  const type = (value as { constructor?: unknown }).constructor;
  return typeof type === 'function' && type.name !== ''
    ? `an instance of ${type.name}`
    : 'an object with a custom prototype';
}

/**
 * The state of one value walk: what the hook claimed last, the by-reference values met so far in
 * value order, and the contract shapes already defined in this frame. One per codec, reused.
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
  /** A value `write` re-encodes by value: the next `claim` of it answers false, once. */
  #bypass: object | undefined;
  #claim: Claim = Claim.Unsupported;
  #definition: ContractDefinition | undefined;

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
    this.references.length = 0;
    this.#shapeIds?.clear();
    this.#shapeCount = 0;
    this.#bypass = undefined;
    this.#definition = undefined;
    this.allowReferences = true;
  }

  /** Decides whether the walk writes `value` (true) or the CBOR writer does (false). Hot path: keep the common cases first. */
  claim(value: object): boolean {
    if (value === this.#bypass) {
      this.#bypass = undefined;
      return false;
    }
    const type = (value as { constructor?: unknown }).constructor;
    const definition = typeof type === 'function' ? this.registry.byClass(type) : undefined;
    if (definition !== undefined) {
      this.#claim = Claim.Contract;
      this.#definition = definition;
      return true;
    }
    if (type === ShapeDefinition) return this.#take(Claim.Shape);
    if (this.isReference?.(value)) return this.#take(Claim.Reference);
    if (type === Set || ArrayBuffer.isView(value)) return false; // the writer's own tags
    if (value instanceof Date) return this.#take(Claim.Date);
    if (value instanceof Error) return this.#take(Claim.Error);
    if (type === UnknownContract) return this.#take(Claim.Unknown);
    if (value instanceof ArrayBuffer) return this.#take(Claim.ArrayBuffer);
    if (value instanceof Map) return this.#take(Claim.MapCopy);
    if (Array.isArray(value)) return this.#take(Claim.ArrayCopy);
    if (value instanceof Set) return false; // subclasses: written as a Set
    const prototype = Object.getPrototypeOf(value);
    // A null-prototype object, or a plain object from another realm: the writer writes it as an object.
    if (prototype === null || Object.getPrototypeOf(prototype) === null) return false;
    return this.#take(Claim.Unsupported);
  }

  #take(claim: Claim): true {
    this.#claim = claim;
    return true;
  }

  /** The tag the writer writes before `write` runs; undefined for none. */
  tag(value: object): number | undefined {
    switch (this.#claim) {
      case Claim.Contract:
      case Claim.Unknown:
        return contractTag;
      case Claim.Shape:
        return shapeDefinitionTag;
      case Claim.Reference:
        if (!this.allowReferences) {
          throw new EncodeError(
            'invalid-reference',
            `expected plain data in a reference descriptor, got ${describe(value)} that travels by reference`,
          );
        }
        return referenceTag;
      case Claim.Error:
        return errorTag;
      case Claim.ArrayBuffer:
        return arrayBufferTag;
      case Claim.Date:
        return dateMillisecondsTag;
      case Claim.MapCopy:
      case Claim.ArrayCopy:
        return undefined;
      default:
        throw new EncodeError('unsupported-type', unsupportedObjectMessage(value));
    }
  }

  /** Writes the payload of the value just claimed, through the writer's `encode` so nested values are walked too. */
  write(value: object, encode: (value: unknown) => void): void {
    // Read the claim first: encoding the payload claims nested values and overwrites it.
    switch (this.#claim) {
      case Claim.Contract: {
        const definition = this.#definition!;
        const fields = definition.fields;
        const payload = new Array<unknown>(fields.length + 1);
        payload[0] = this.#shapeItem(definition, shapeOf);
        const record = value as Record<string, unknown>;
        for (let index = 0; index < fields.length; index++) payload[index + 1] = record[fields[index]!];
        encode(payload);
        return;
      }
      case Claim.Unknown: {
        const unknown = value as UnknownContract;
        const fieldNames = Object.keys(unknown.fields);
        const key = `${unknown.typeChain.join('\u0000')}\u0001${fieldNames.join('\u0000')}`;
        const payload = new Array<unknown>(fieldNames.length + 1);
        payload[0] = this.#shapeItem(key, () => new ShapeDefinition(unknown.typeChain, fieldNames));
        for (let index = 0; index < fieldNames.length; index++)
          payload[index + 1] = unknown.fields[fieldNames[index]!];
        encode(payload);
        return;
      }
      case Claim.Shape:
        encode((value as ShapeDefinition).payload);
        return;
      case Claim.Reference:
        // Only the index goes into the body; the hook runs after the walk (see Codec.encode), so the
        // session may encode from inside its hook, which the shared writer could not survive mid-walk.
        encode(this.references.push(value) - 1);
        return;
      case Claim.Error:
        encode(errorToPayload(value as Error, this.errorStacks));
        return;
      case Claim.ArrayBuffer:
        encode(new Uint8Array(value as ArrayBuffer));
        return;
      case Claim.Date:
        encode((value as Date).getTime());
        return;
      case Claim.MapCopy:
        encode(new Map(value as Map<unknown, unknown>));
        return;
      case Claim.ArrayCopy:
        encode(Array.from(value as unknown[]));
        return;
      default:
        throw new EncodeError('unsupported-type', `cannot encode ${describe(value)}`);
    }
  }

  #shapeItem<Key extends object | string>(
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
