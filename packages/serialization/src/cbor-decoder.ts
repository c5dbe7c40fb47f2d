import type { DecodeBudget } from './decode-budget.ts';
import { DecodeError } from './decode-error.ts';
import type { DecodeWalk } from './decode-walk.ts';
import { errorFromPayload } from './error-wire.ts';
import { type DecodeLimits, decodeWorkAllowance, decodeWorkCosts } from './limits.ts';
import {
  arrayBufferTag,
  contractTag,
  dateMillisecondsTag,
  dateTag,
  descriptorsTag,
  errorTag,
  mapTag,
  negativeBignumTag,
  positiveBignumTag,
  recordDefinitionTag,
  recordTagFirst,
  recordTagLast,
  referenceFrameTag,
  referenceTag,
  setTag,
  shapeDefinitionTag,
  type TypedArrayClass,
  typedArrayOfTag,
  typedArrayTags,
} from './wire-tags.ts';

// Why one file over 450 lines: checking a frame and reading it are one walk over the same grammar
// (headers, lengths, the payload each tag takes); written twice they drifted apart and cost a page
// both copies.
//
// The CBOR reader, for what `cbor-encoder.ts` writes. It walks a frame twice with the same code:
//
//   1. the check (`building` false) builds nothing: it checks every header, length, tag, nesting
//      level, record definition and limit, refuses everything this codec never writes, and prices
//      the frame in work units (`limits.ts`) as each container, tag and record definition opens, so
//      a frame whose shape would make the reader build far more than its bytes (millions of empty
//      arrays, thousands of record definitions, records of hundreds of thousands of keys) is refused
//      before anything is built;
//   2. the read (`building` true), only of a frame the check passed (and its work charged to the
//      peer's budget), builds the value: it meets the same checks, which all pass, and hands the
//      codec's own tags to the `DecodeWalk`, which checks their meaning (contract shapes, references).
//
// Both recurse one level per container, and the check refuses a frame nesting deeper than
// `limits.maxDepth` before it recurses that far; a stack too small for `maxDepth` overflows into a
// `RangeError`, which `Codec.decode` turns into `too-deep`. Records are read with a loop over their
// keys, and from their third use in a frame (the definition is the first) through an object literal
// compiled for their keys (what the check prices as `recordCompile`), which V8 builds far faster.

const textDecoder = new TextDecoder();
const fromCharCode = String.fromCharCode;
const {
  container: containerWork,
  objectKey: objectKeyWork,
  mapEntry: mapEntryWork,
  tag: tagWork,
  heavyTag: heavyTagWork,
  recordDefinition: recordDefinitionWork,
  recordKey: recordKeyWork,
  recordCompile: recordCompileWork,
  recordCompileKey: recordCompileKeyWork,
  wideRecordValue: wideRecordValueWork,
  fastRecordKeys,
} = decodeWorkCosts;
// The third use of a record in a frame (its definition is the first) compiles its reader.
const compiledUse = 3;

/** A record defined in the frame being walked: its length, uses so far, and (when building) its keys and compiled reader. */
interface RecordReader {
  readonly length: number;
  readonly keys: string[];
  uses: number;
  /** The compiled reader once made; null where code cannot be compiled. */
  read: (() => object) | null | undefined;
}

let source: Uint8Array = new Uint8Array(0);
let position = 0;
let end = 0;
// Floats and 64-bit integers are copied into this scratch buffer and read through its DataView, never
// through the frame's own buffer: asking a small typed array for its `buffer` (or a view of it) makes V8
// move its bytes off the heap, about a microsecond, where a short message takes less to decode whole
// (a MessagePort's string frames and a session's packed frames are such arrays).
const scratch = new Uint8Array(new ArrayBuffer(8));
const scratchView = new DataView(scratch.buffer);
let building = false;
let limits: DecodeLimits;
// The limits every item may meet, out of `limits` for the hot paths.
let maxDepth = 0;
let maxCollectionLength = 0;
let maxStringBytes = 0;
let depth = 0;
let work = 0;
let budget = 0;
let definitions = 0;
let records: (RecordReader | undefined)[] = [];
let walk: DecodeWalk;
let copyBytes = false;
let active = 0;
let canCompile = true;

/**
 * Checks `frame` against `limits`, charges its work and record definitions to `peerBudget`, then reads
 * its one item, handing the codec's tags to `walkInProgress`. Reentrant: a hook of the walk may decode
 * another frame.
 * @throws DecodeError with the code of the first violation, and whatever the walk throws
 */
export function decodeFrame(
  frame: Uint8Array,
  frameLimits: DecodeLimits,
  peerBudget: DecodeBudget | undefined,
  walkInProgress: DecodeWalk,
  copy: boolean,
): unknown {
  const length = frame.length;
  if (length > frameLimits.maxFrameBytes) {
    throw new DecodeError(
      'frame-too-large',
      `expected a frame of at most ${frameLimits.maxFrameBytes} bytes, got ${length}`,
    );
  }
  // Only a decode inside a decode (from a hook, while building) saves the outer one's state.
  const outer =
    active++ === 0
      ? undefined
      : { source, limits, position, depth, work, definitions, records, walk, copyBytes };
  try {
    enter(frame, frameLimits);
    walk = walkInProgress;
    copyBytes = copy;
    building = false;
    walkFrame();
    peerBudget?.charge(work, definitions);
    building = true;
    return walkFrame();
  } finally {
    active--;
    if (outer !== undefined) {
      enter(outer.source, outer.limits);
      ({ position, depth, work, definitions, records, walk, copyBytes } = outer);
      building = true;
    }
  }
}

/** Makes `frame` the frame being walked, within `frameLimits`. */
function enter(frame: Uint8Array, frameLimits: DecodeLimits): void {
  source = frame;
  end = frame.length;
  limits = frameLimits;
  ({ maxDepth, maxCollectionLength, maxStringBytes } = frameLimits);
  // One unit per byte pays for every item (each is at least one byte); the rest is charged as it opens.
  budget = frameLimits.maxWorkPerByte * end + decodeWorkAllowance;
}

/** One pass over the frame, from a clean state. */
function walkFrame(): unknown {
  position = 0;
  depth = 0;
  work = end;
  definitions = 0;
  records = [];
  const value = read();
  if (position !== end)
    throw malformed(`expected the frame to end after one item, ${end - position} bytes remain`, position);
  return value;
}

function malformed(message: string, at: number): DecodeError {
  return new DecodeError('malformed', `${message} at byte ${at}`);
}

function truncated(at: number): DecodeError {
  return new DecodeError('truncated', `expected more bytes at byte ${at}, the frame ended`);
}

/** Enters `levels` nesting levels that cost `cost` work units, opened at byte `at`. */
function open(levels: number, cost: number, at: number): void {
  if ((depth += levels) > maxDepth) throw tooDeep(at);
  if ((work += cost) > budget) throw workExceeded(at);
}

function tooDeep(at: number): DecodeError {
  return new DecodeError(
    'too-deep',
    `expected nesting of at most ${limits.maxDepth} levels, got more at byte ${at}`,
  );
}

function workExceeded(at: number): DecodeError {
  return new DecodeError(
    'work-exceeded',
    `expected decode work of at most ${budget} units for a frame of ${end} bytes (limits.maxWorkPerByte ${limits.maxWorkPerByte}), got ${work} by byte ${at}: too many containers, tags or records for the frame's size (raise limits.maxWorkPerByte, or send such data as typed arrays or strings)`,
  );
}

/** Moves past `bytes` bytes of payload at `position`, or throws if the frame ends first. */
function skip(bytes: number): number {
  const at = position;
  if (bytes > end - at) throw truncated(end);
  position = at + bytes;
  return at;
}

/** The big-endian 32-bit unsigned integer at `at` (bounds checked by the caller). */
function uint32At(at: number): number {
  // The multiplication keeps it unsigned (a shift of the first byte by 24 would make it negative).
  return source[at]! * 0x1000000 + ((source[at + 1]! << 16) | (source[at + 2]! << 8) | source[at + 3]!);
}

/** The argument of a header whose additional information is `info` (below 27), moving past it. */
function argument(info: number): number {
  if (info < 24) return info;
  const at = skip(1 << (info - 24));
  return info === 24 ? source[at]! : info === 25 ? (source[at]! << 8) | source[at + 1]! : uint32At(at);
}

/** The length in the header at `position`, which must be of major type `major` (`what` names it), moving past it. */
function lengthOf(major: number, what: string): number {
  const at = position;
  if (at >= end) throw truncated(at);
  const initial = source[at]!;
  if (initial >> 5 !== major || (initial & 31) > 26) throw malformed(`expected ${what}`, at);
  position++;
  return argument(initial & 31);
}

/** The initial byte at `position`, which must exist. */
function peek(): number {
  if (position >= end) throw truncated(position);
  return source[position]!;
}

function checkCollection(count: number, what: string): void {
  if (count > maxCollectionLength) {
    throw new DecodeError(
      'collection-too-long',
      `expected at most ${limits.maxCollectionLength} ${what}, got ${count}`,
    );
  }
}

/** Reads one item. */
function read(): unknown {
  const start = position;
  if (start >= end) throw truncated(start);
  const initial = source[position++]!;
  const major = initial >> 5;
  let value = initial & 31;
  if (value > 23) {
    // The argument follows (24-26), or a 64-bit integer or float (27); bounds checked here. The
    // writer writes every float in 64 bits: a one-byte simple value, a half or single float is refused.
    const at = position;
    if (major === 7 && value < 27) throw unsupportedSimple(value, start);
    switch (value) {
      case 24:
        if (at >= end) throw truncated(at);
        position = at + 1;
        value = source[at]!;
        break;
      case 25:
        if (at + 2 > end) throw truncated(at);
        position = at + 2;
        value = (source[at]! << 8) | source[at + 1]!;
        break;
      case 26:
        if (at + 4 > end) throw truncated(at);
        position = at + 4;
        value = uint32At(at);
        break;
      case 27: {
        // Integers (bigint) and doubles only: the writer never writes 64-bit lengths or tags.
        if (major > 1 && major < 7) throw malformed('unexpected 64-bit header', start);
        if (at + 8 > end) throw truncated(at);
        position = at + 8;
        if (!building) return;
        for (let index = 0; index < 8; index++) scratch[index] = source[at + index]!;
        if (major === 7) return scratchView.getFloat64(0);
        const big = scratchView.getBigUint64(0);
        return major === 0 ? big : -1n - big;
      }
      default:
        // 28-30 are reserved; 31 is an indefinite length or a break, which this codec never writes.
        throw malformed(
          `unexpected ${value === 31 ? 'indefinite-length or break' : 'reserved'} header 0x${initial.toString(16)}`,
          start,
        );
    }
  }
  switch (major) {
    case 0:
      return value;
    case 1:
      return -1 - value;
    case 2:
      return readBytes(value);
    case 3:
      if (value > maxStringBytes) {
        throw new DecodeError(
          'string-too-long',
          `expected a string of at most ${limits.maxStringBytes} bytes, got ${value}`,
        );
      }
      return readString(value);
    case 4:
      return readArray(value, start);
    case 5:
      return readMap(value, start, false);
    case 6:
      // Records first: the bulk of object-heavy frames.
      return value >= recordTagFirst && value <= recordTagLast
        ? useRecord(value, start)
        : readTag(value, start);
    default:
      if (value >= 20 && value <= 23)
        return value === 20 ? false : value === 21 ? true : value === 22 ? null : undefined;
      throw unsupportedSimple(value, start);
  }
}

function unsupportedSimple(value: number, at: number): DecodeError {
  return new DecodeError(
    'unsupported-tag',
    `expected false, true, null, undefined or a 64-bit float, got simple value ${value} at byte ${at}`,
  );
}

function readArray(count: number, start: number): unknown[] | undefined {
  checkCollection(count, 'items');
  open(1, containerWork, start);
  let array: unknown[] | undefined;
  if (building) {
    array = new Array<unknown>(count);
    for (let index = 0; index < count; index++) array[index] = read();
  } else {
    for (let index = 0; index < count; index++) read();
  }
  depth--;
  return array;
}

/**
 * Reads a map of `entries` entries: a plain object, or a `Map` for the map tag's payload. Entries of
 * a `Map` are hash inserts; entries of a plain object add properties, which costs V8 a hidden class
 * per new key name.
 */
function readMap(entries: number, start: number, asMap: boolean): object | undefined {
  checkCollection(entries, 'entries');
  // A plain object is a plain object whether it came as a record or as a map: as wide a limit.
  if (!asMap && entries > limits.maxRecordKeys) {
    throw new DecodeError(
      'record-too-wide',
      `expected an object of at most ${limits.maxRecordKeys} keys (limits.maxRecordKeys), got ${entries} at byte ${start}; send a Map for dictionaries`,
    );
  }
  open(1, containerWork + entries * (asMap ? mapEntryWork : objectKeyWork), start);
  let result: object | undefined;
  if (!building) {
    for (let index = 0; index < entries * 2; index++) read();
  } else if (asMap) {
    const map = new Map<unknown, unknown>();
    for (let index = 0; index < entries; index++) map.set(read(), read());
    result = map;
  } else {
    const object: Record<string, unknown> = {};
    for (let index = 0; index < entries; index++) object[propertyName(read())] = read();
    result = object;
  }
  depth--;
  return result;
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
function readBytes(length: number, copy = copyBytes): Uint8Array | undefined {
  const at = skip(length);
  if (!building) return;
  const offset = source.byteOffset + at;
  return copy
    ? new Uint8Array(source.buffer.slice(offset, offset + length))
    : new Uint8Array(source.buffer, offset, length);
}

function readString(length: number): string | undefined {
  const at = skip(length);
  if (!building) return;
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

/**
 * Reads the payload of tag `tag` (whose header began at `start`) in the form the tag takes, checked
 * at the payload's header, and prices it: one nesting level, and `tag` or `heavyTag` work units.
 */
function readTag(tag: number, start: number): unknown {
  let value: unknown;
  switch (tag) {
    case recordDefinitionTag:
      return defineRecord(start);
    case dateTag:
    case dateMillisecondsTag: {
      // A number: an integer or a float.
      const initial = peek();
      if (initial >> 5 > 1 && initial !== 0xfb) throw malformed('expected a number', position);
      open(1, tagWork, start);
      const time = read() as number;
      if (building) value = new Date(tag === dateTag ? time * 1000 : time);
      break;
    }
    case positiveBignumTag:
    case negativeBignumTag:
      open(1, tagWork, start);
      value = readBignum(tag);
      break;
    case referenceTag: {
      if (peek() >> 5 !== 0) throw malformed('expected an unsigned integer', position);
      open(1, tagWork, start);
      const index = read();
      if (building) value = walk.reference(index);
      break;
    }
    case setTag: {
      if (peek() >> 5 !== 4) throw malformed('expected an array', position);
      open(1, heavyTagWork, start);
      const items = read() as unknown[];
      if (building) value = new Set(items);
      break;
    }
    case mapTag: {
      open(1, heavyTagWork, start);
      const at = position;
      value = readMap(lengthOf(5, 'a map'), at, true);
      break;
    }
    case contractTag:
      open(1, heavyTagWork, start);
      value = readContract();
      break;
    case errorTag: {
      open(1, heavyTagWork, start);
      const payload = read();
      if (building) value = errorFromPayload(payload, walk.registry);
      break;
    }
    case arrayBufferTag:
      open(1, heavyTagWork, start);
      value = readArrayBuffer();
      break;
    case referenceFrameTag:
      if (depth > 0) throw malformed('a reference frame tag below the root', start);
      open(1, tagWork, start);
      value = readReferenceFrame();
      break;
    default: {
      const type = typedArrayOfTag(tag);
      if (type === undefined) {
        throw new DecodeError(
          'unsupported-tag',
          `expected a tag this codec writes, got tag ${tag} at byte ${start}`,
        );
      }
      open(1, heavyTagWork, start);
      value = readTypedArray(type, tag);
    }
  }
  depth--;
  return value;
}

/** A bignum's magnitude bytes, most significant first (the tag is `tag`). */
function readBignum(tag: number): bigint | undefined {
  const length = lengthOf(2, 'bytes');
  if (length > limits.maxBigIntBytes) {
    skip(length);
    throw new DecodeError(
      'bigint-too-large',
      `expected a bignum of at most ${limits.maxBigIntBytes} bytes, got ${length}`,
    );
  }
  const bytes = readBytes(length, false);
  if (bytes === undefined) return;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) + BigInt(byte);
  return tag === positiveBignumTag ? value : -1n - value;
}

/** An ArrayBuffer's bytes: a byte string, or a tag-64 byte array; always a copy (an ArrayBuffer cannot be a view). */
function readArrayBuffer(): ArrayBuffer | undefined {
  const at = position;
  const tagged = peek() === 0xd8 && source[at + 1] === 64;
  if (tagged) {
    position += 2;
    open(1, tagWork, at);
  }
  const bytes = readBytes(lengthOf(2, 'bytes'), true);
  if (tagged) depth--;
  return bytes?.buffer as ArrayBuffer | undefined;
}

/**
 * A reference frame's `[descriptors, body]`: the descriptor list (handed to the hooks before the
 * body is read), then the body.
 */
function readReferenceFrame(): unknown {
  const at = position;
  if (lengthOf(4, 'a reference frame pair') !== 2) throw malformed('expected an array of 2 items', at);
  open(1, containerWork, at);
  const listAt = position;
  if (peek() !== 0xd9 || tag16(listAt + 1) !== descriptorsTag)
    throw malformed('expected the descriptor list', listAt);
  position += 3;
  if (peek() >> 5 !== 4) throw malformed('expected an array', position);
  open(1, tagWork, listAt);
  const descriptors = read() as unknown[];
  if (building) walk.takeDescriptors(descriptors);
  const body = read();
  depth -= 2;
  return body;
}

/** The two-byte argument at `at` (of a three-byte tag header), or -1 past the frame's end. */
function tag16(at: number): number {
  return at + 2 > end ? -1 : (source[at]! << 8) | source[at + 1]!;
}

/** A contract's `[shape, ...fieldValues]`, the shape a shape index or a shape definition `[typeChain, fieldNames]`. */
function readContract(): unknown {
  const at = position;
  const count = lengthOf(4, 'a contract array');
  checkCollection(count, 'items');
  if (count < 1) throw malformed('expected a contract array with a shape', at);
  open(1, containerWork, at);
  const items = building ? new Array<unknown>(count) : undefined;
  const shapeAt = position;
  const initial = peek();
  if (initial >> 5 === 0) {
    const index = lengthOf(0, 'a contract shape index');
    if (items !== undefined) items[0] = index;
  } else {
    if (initial !== 0xd9 || tag16(shapeAt + 1) !== shapeDefinitionTag)
      throw malformed('expected a contract shape', shapeAt);
    position += 3;
    open(1, tagWork, shapeAt);
    const pairAt = position;
    if (lengthOf(4, 'a contract shape') !== 2) throw malformed('expected an array of 2 items', pairAt);
    open(1, containerWork, pairAt);
    const typeChain = read();
    const fieldNames = read();
    if (items !== undefined) items[0] = walk.defineShape([typeChain, fieldNames]);
    depth -= 2;
  }
  for (let index = 1; index < count; index++) {
    if (items !== undefined) items[index] = read();
    else read();
  }
  depth--;
  return items === undefined ? undefined : walk.materializeContract(items);
}

/** `recordDefinitionTag [id, keys, ...values]`: defines record `id` and reads its first object. */
function defineRecord(start: number): object | undefined {
  open(1, tagWork, start);
  const at = position;
  const count = lengthOf(4, 'a record definition');
  checkCollection(count, 'items');
  if (count < 2) throw malformed('expected a record definition', at);
  const length = count - 2;
  if (length > limits.maxRecordKeys) {
    throw new DecodeError(
      'record-too-wide',
      `expected a record of at most ${limits.maxRecordKeys} keys (limits.maxRecordKeys), got ${length} at byte ${at}; send a Map for dictionaries`,
    );
  }
  if (++definitions > limits.maxRecordDefinitions) {
    throw new DecodeError(
      'too-many-records',
      `expected at most ${limits.maxRecordDefinitions} record definitions in a frame (limits.maxRecordDefinitions), got more at byte ${at}`,
    );
  }
  open(1, containerWork + recordDefinitionWork + length * recordKeyWork, at);
  const idAt = position;
  const id = lengthOf(0, 'a record id') - recordTagFirst;
  if (id < 0 || id > recordTagLast - recordTagFirst) throw malformed('expected a record id', idAt);
  const keysAt = position;
  const keyCount = lengthOf(4, 'record keys');
  if (keyCount !== length) throw malformed(`expected ${length} record keys, got ${keyCount}`, keysAt);
  open(1, containerWork, keysAt);
  const keys = new Array<string>(building ? length : 0);
  for (let index = 0; index < length; index++) {
    if (peek() >> 5 !== 3) throw malformed('expected a record key', position);
    const key = read() as string;
    if (building) keys[index] = key === '__proto__' ? '__proto_' : key;
  }
  depth--;
  const reader: RecordReader = { length, keys, uses: 0, read: undefined };
  records[id] = reader;
  const object = readRecord(reader);
  depth -= 2;
  return object;
}

/** `tag(id) [...values]`: an object of record `id`. */
function useRecord(tag: number, start: number): object | undefined {
  const reader = records[tag - recordTagFirst];
  if (reader === undefined) throw malformed(`record ${tag} used before its definition`, start);
  const length = reader.length;
  const values = lengthOf(4, 'a record value array');
  if (values !== length) throw malformed(`expected a record of ${length} values, got ${values}`, start);
  // The tag and its value array open as one container (two levels); a record too wide for fast-mode
  // objects pays per value; the use that compiles a reader pays for compiling it.
  open(
    2,
    (length > fastRecordKeys ? containerWork + length * wideRecordValueWork : containerWork) +
      (reader.uses + 1 === compiledUse ? recordCompileWork + recordCompileKeyWork * length : 0),
    start,
  );
  const object = readRecord(reader);
  depth -= 2;
  return object;
}

function readRecord(reader: RecordReader): object | undefined {
  const keys = reader.keys;
  if (++reader.uses >= compiledUse && building) {
    reader.read ??= compileRecord(keys);
    if (reader.read !== null) return reader.read();
  }
  if (!building) {
    for (let index = 0; index < reader.length; index++) read();
    return;
  }
  const object: Record<string, unknown> = {};
  for (const key of keys) object[key] = read();
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

function readTypedArray(type: TypedArrayClass, tag: number): ArrayBufferView | undefined {
  const length = lengthOf(2, 'bytes');
  const size = type.BYTES_PER_ELEMENT;
  if (length % size !== 0) {
    throw malformed(`expected a typed array of ${size}-byte elements, got ${length} bytes`, position);
  }
  if (type === Uint8Array || !building) return readBytes(length);
  const offset = source.byteOffset + position;
  // A view when in this machine's byte order, aligned and not asked to copy; else a copy of its own.
  if (size === 1 || typedArrayTags.has(tag) === littleEndianMachine) {
    if (!copyBytes && offset % size === 0) {
      skip(length);
      return new type(source.buffer, offset, length / size);
    }
    return new type(readBytes(length, true)!.buffer);
  }
  // The other byte order: swap each element's bytes.
  const swapped = readBytes(length, true)!;
  for (let element = 0; element < length; element += size)
    swapped.subarray(element, element + size).reverse();
  return new type(swapped.buffer);
}
