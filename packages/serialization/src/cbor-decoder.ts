import { DecodeError } from './decode-error.ts';
import type { DecodeWalk } from './decode-walk.ts';
import {
  contractTag,
  dateTag,
  mapTag,
  negativeBignumTag,
  positiveBignumTag,
  recordDefinitionTag,
  recordTagFirst,
  recordTagLast,
  setTag,
  type TypedArrayClass,
  typedArrayOfTag,
  typedArrayTags,
} from './wire-tags.ts';

// The CBOR reader for frames `frame-scanner.ts` has already accepted. The scan checked every header,
// length, tag, nesting level, record definition and the frame's work, so this reader trusts the
// structure and checks only meaning (map keys, contract shapes, references: see `DecodeWalk`). Never
// call it on bytes the scan has not passed.
//
// It reads what `cbor-encoder.ts` writes (see there for the forms), with the encoder's records: a
// record's objects are built by a loop over its keys, and from its third use in a frame by an object
// literal compiled for its keys (what the scan prices as `recordCompile`), which V8 builds far faster.

const textDecoder = new TextDecoder();
const fromCharCode = String.fromCharCode;

let source: Uint8Array = new Uint8Array(0);
let position = 0;
// Floats and 64-bit integers are read through a DataView of the frame's whole ArrayBuffer, made again
// only when a frame comes in another buffer (frames from one socket often share a pooled buffer);
// `base` is the frame's offset in it.
let viewBuffer: ArrayBufferLike | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
let base = 0;
let walk: DecodeWalk;
let copyBytes = false;

/** A record defined in the frame being read: its keys, uses so far, and its compiled reader once it has one. */
interface RecordReader {
  readonly keys: string[];
  uses: number;
  /** The compiled reader; null where code cannot be compiled. */
  read: (() => object) | null | undefined;
}
let records: (RecordReader | undefined)[] = [];
let depth = 0;
// The third use of a record compiles its reader (as the scan prices it).
const compiledUse = 3;
let canCompile = true;

/**
 * Reads the one item of `frame` (already passed by `scanFrame`), handing the codec's tags to
 * `walkInProgress`. Reentrant: a hook of the walk may decode another frame.
 * @throws DecodeError, and whatever the walk throws
 */
export function decodeItem(frame: Uint8Array, walkInProgress: DecodeWalk, copy: boolean): unknown {
  // Only a decode inside a decode (from a hook) saves the outer one's state.
  const outer = depth++ === 0 ? undefined : { source, position, base, walk, copyBytes, records };
  source = frame;
  position = 0;
  base = frame.byteOffset;
  if (frame.buffer !== viewBuffer) {
    viewBuffer = frame.buffer;
    view = new DataView(frame.buffer);
  }
  walk = walkInProgress;
  copyBytes = copy;
  records = [];
  try {
    return read();
  } finally {
    depth--;
    if (outer !== undefined) {
      ({ source, position, base, walk, copyBytes, records } = outer);
      if (source.buffer !== viewBuffer) {
        viewBuffer = source.buffer;
        view = new DataView(source.buffer);
      }
    }
  }
}

/** The argument of the header at `position` (a length: the scan checked its major type), moving past it. */
function header(): number {
  const info = source[position++]! & 31;
  if (info < 24) return info;
  const at = position;
  if (info === 24) {
    position += 1;
    return source[at]!;
  }
  if (info === 25) {
    position += 2;
    return (source[at]! << 8) | source[at + 1]!;
  }
  position += 4;
  return view.getUint32(base + at);
}

function read(): unknown {
  const initial = source[position++]!;
  const major = initial >> 5;
  let argument = initial & 31;
  if (argument > 23) {
    // 24-27 (the scan refused the rest): the argument follows, or a float or 64-bit integer.
    const at = position;
    switch (argument) {
      case 24:
        position += 1;
        argument = source[at]!;
        break;
      case 25:
        position += 2;
        argument = (source[at]! << 8) | source[at + 1]!;
        if (major === 7) return halfFloat(argument);
        break;
      case 26:
        position += 4;
        if (major === 7) return view.getFloat32(base + at);
        argument = view.getUint32(base + at);
        break;
      default: {
        position += 8;
        if (major === 7) return view.getFloat64(base + at);
        const value = view.getBigUint64(base + at);
        return major === 0 ? value : -1n - value;
      }
    }
  }
  switch (major) {
    case 0:
      return argument;
    case 1:
      return -1 - argument;
    case 2:
      return readBytes(argument);
    case 3:
      return readString(argument);
    case 4: {
      const array = new Array<unknown>(argument);
      for (let index = 0; index < argument; index++) array[index] = read();
      return array;
    }
    case 5: {
      const object: Record<string, unknown> = {};
      for (let index = 0; index < argument; index++) object[propertyName(read())] = read();
      return object;
    }
    case 6:
      return readTag(argument);
    default:
      // Simple values 20-23 (the scan refused the others).
      return argument === 20 ? false : argument === 21 ? true : argument === 22 ? null : undefined;
  }
}

function halfFloat(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const magnitude =
    exponent === 0
      ? fraction * 2 ** -24
      : exponent === 31
        ? fraction === 0
          ? Number.POSITIVE_INFINITY
          : Number.NaN
        : (1024 + fraction) * 2 ** (exponent - 25);
  return bits & 0x8000 ? -magnitude : magnitude;
}

/** A map key as a property name; `__proto__` becomes `__proto_` so no key reaches a prototype. */
function propertyName(key: unknown): string {
  if (typeof key === 'string') return key === '__proto__' ? '__proto_' : key;
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint' || key == null)
    return String(key);
  throw new DecodeError('malformed', `expected a string, number or boolean object key, got ${typeof key}`);
}

/**
 * The `length` bytes at `position` as a plain Uint8Array (never a Node Buffer, whose `slice` is a
 * view): a view into the frame, or a copy with `copyBytes` or `copy`.
 */
function readBytes(length: number, copy = copyBytes): Uint8Array {
  const at = position;
  position += length;
  const offset = source.byteOffset + at;
  return copy
    ? new Uint8Array(source.buffer.slice(offset, offset + length))
    : new Uint8Array(source.buffer, offset, length);
}

function readString(length: number): string {
  const at = position;
  position += length;
  if (length < 32) {
    // Short ASCII strings (most keys and names): built by fromCharCode with one argument per byte,
    // one allocation, far cheaper than a call into TextDecoder (cbor-x's trick).
    let ascii = 0;
    for (let index = at; index < position; index++) ascii |= source[index]!;
    if (ascii < 0x80) return asciiString(at, length);
  }
  return textDecoder.decode(source.subarray(at, position));
}

/** The ASCII bytes `at..at+length` (length below 32) as a string. */
function asciiString(at: number, length: number): string {
  const b = source;
  switch (length) {
    case 0:
      return '';
    case 1:
      return fromCharCode(b[at]!);
    case 2:
      return fromCharCode(b[at]!, b[at + 1]!);
    case 3:
      return fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!);
    case 4:
      return fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
    case 5:
      return fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!);
    case 6:
      return fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!);
    case 7:
      return fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!);
    case 8:
      return fromCharCode(
        b[at]!,
        b[at + 1]!,
        b[at + 2]!,
        b[at + 3]!,
        b[at + 4]!,
        b[at + 5]!,
        b[at + 6]!,
        b[at + 7]!,
      );
    case 9:
      return fromCharCode(
        b[at]!,
        b[at + 1]!,
        b[at + 2]!,
        b[at + 3]!,
        b[at + 4]!,
        b[at + 5]!,
        b[at + 6]!,
        b[at + 7]!,
        b[at + 8]!,
      );
    case 10:
      return fromCharCode(
        b[at]!,
        b[at + 1]!,
        b[at + 2]!,
        b[at + 3]!,
        b[at + 4]!,
        b[at + 5]!,
        b[at + 6]!,
        b[at + 7]!,
        b[at + 8]!,
        b[at + 9]!,
      );
    case 11:
      return fromCharCode(
        b[at]!,
        b[at + 1]!,
        b[at + 2]!,
        b[at + 3]!,
        b[at + 4]!,
        b[at + 5]!,
        b[at + 6]!,
        b[at + 7]!,
        b[at + 8]!,
        b[at + 9]!,
        b[at + 10]!,
      );
    case 12:
      return fromCharCode(
        b[at]!,
        b[at + 1]!,
        b[at + 2]!,
        b[at + 3]!,
        b[at + 4]!,
        b[at + 5]!,
        b[at + 6]!,
        b[at + 7]!,
        b[at + 8]!,
        b[at + 9]!,
        b[at + 10]!,
        b[at + 11]!,
      );
    default:
      return asciiString(at, 12) + asciiString(at + 12, length - 12);
  }
}

const littleEndianMachine = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readTag(tag: number): unknown {
  if (tag >= recordTagFirst && tag <= recordTagLast) {
    const reader = records[tag - recordTagFirst]!;
    header(); // the value array's (the scan checked it matches the definition)
    return readRecord(reader);
  }
  if (tag === recordDefinitionTag) {
    header(); // the array header: id, keys, values
    const id = read() as number;
    const keys = read() as string[];
    for (let index = 0; index < keys.length; index++)
      if (keys[index] === '__proto__') keys[index] = '__proto_';
    const reader: RecordReader = { keys, uses: 0, read: undefined };
    records[id - recordTagFirst] = reader;
    return readRecord(reader);
  }
  // The codec's own tags (44600 and up; the scan let no other tag that high through).
  if (tag >= contractTag) return walk.tag(tag, read());
  switch (tag) {
    case mapTag: {
      const entries = header();
      const map = new Map<unknown, unknown>();
      for (let index = 0; index < entries; index++) map.set(read(), read());
      return map;
    }
    case setTag:
      return new Set(read() as unknown[]);
    case positiveBignumTag:
    case negativeBignumTag: {
      let value = 0n;
      for (const byte of read() as Uint8Array) value = (value << 8n) + BigInt(byte);
      return tag === positiveBignumTag ? value : -1n - value;
    }
    case dateTag:
      return new Date((read() as number) * 1000);
    default: {
      // A typed array (the scan let no other tag through).
      return readTypedArray(typedArrayOfTag(tag)!, tag);
    }
  }
}

function readTypedArray(type: TypedArrayClass, tag: number): ArrayBufferView {
  const length = header();
  if (type === Uint8Array) return readBytes(length);
  const size = type.BYTES_PER_ELEMENT;
  const offset = source.byteOffset + position;
  // A view when in this machine's byte order, aligned and not asked to copy; else a copy of its own.
  if (size === 1 || typedArrayTags.has(tag) === littleEndianMachine) {
    if (!copyBytes && offset % size === 0) return new type(readBytes(length).buffer, offset, length / size);
    return new type(readBytes(length, true).buffer);
  }
  // The other byte order: swap each element's bytes.
  const swapped = readBytes(length, true);
  for (let element = 0; element < length; element += size)
    swapped.subarray(element, element + size).reverse();
  return new type(swapped.buffer);
}

function readRecord(reader: RecordReader): object {
  if (++reader.uses >= compiledUse) {
    reader.read ??= compileRecord(reader.keys);
    if (reader.read !== null) return reader.read();
  }
  const object: Record<string, unknown> = {};
  for (const key of reader.keys) object[key] = read();
  return object;
}

/**
 * An object-literal reader for `keys` (`() => ({"a": read(), "b": read()})`); null where code
 * cannot be compiled (a page whose Content-Security-Policy forbids it), and the loop serves instead.
 * Keys are JSON string literals, and `__proto__` was renamed before, so no key is code or a prototype.
 */
function compileRecord(keys: readonly string[]): (() => object) | null {
  if (!canCompile) return null;
  try {
    const body = keys.map((key) => `${JSON.stringify(key)}:read()`).join(',');
    return new Function('read', `return () => ({${body}})`)(read) as () => object;
  } catch {
    // Refused once, refused always (and a page would log a policy violation per attempt).
    canCompile = false;
    return null;
  }
}
