// Why one file over 450 lines: the writer's state (output buffer, position, record tree) lives in
// module variables, which only their own module can assign; split, it would have to be shared through
// an object, and every byte written would pay for the property access.
import { ByteParts } from './byte-parts.ts';
import { EncodeError } from './encode-error.ts';
import type { EncodeWalk } from './encode-walk.ts';
import { functionMessage, symbolMessage } from './unsupported-value.ts';
import {
  mapTag,
  negativeBignumTag,
  positiveBignumTag,
  recordDefinitionTag,
  recordTagFirst,
  setTag,
  typedArrayTags,
} from './wire-tags.ts';

// The CBOR writer (RFC 8949) for the subset `cbor-decoder.ts` accepts. Why our own and not a CBOR
// library: a browser page pays for every byte of its codec, and the libraries that are as fast as this
// one (cbor-x) carry every CBOR feature (packed values, shared structures, structured clone, string
// bundles) in one closure a bundler cannot trim. This file writes what a codec frame holds and nothing
// else, in cbor-x's forms, so cbor-x-era peers read every frame (cbor-x itself defines a record at
// the first object of a key list, where this writer writes a map):
//
//   numbers      an integer in [-2^32, 2^32) as a CBOR integer (-0 as 0), anything else as a float64
//   bigint       a 64-bit CBOR integer, or a bignum (tags 2 and 3) outside that range
//   string       UTF-8 text (short strings encoded here, long ones by TextEncoder.encodeInto)
//   object       a map for the first object of a key list in a frame; then a record: the second
//                writes `recordDefinitionTag [id, keys, ...values]`, later ones `tag(id) [...values]`
//                (ids recordTagFirst.. +255, recycled after 256 key lists); always a map without records
//   Map / Set    tag 259 around a map / tag 258 around an array
//   typed arrays tag 64 (Uint8Array) or the RFC 8746 tag of the class (little-endian) around its bytes
//   ByteParts    tag 64 around the one byte string its parts make up (read back as a Uint8Array)
//   the rest     whatever `EncodeWalk` claims (contracts, errors, dates, references, ...), or an error
//
// Output goes to one shared buffer: each frame is written after the previous one and returned as a
// view, so a returned frame is never written over (a new buffer is taken when the current one is
// nearly full, or grown by copying when a frame outgrows it).
//
// Bulk bytes (a byte array of at least `bulkBytes`) are not copied into the shared buffer: the writer
// writes their header, notes where their bytes go, and once the value is written assembles the frame
// in a buffer of its own, of exactly its size, copying each bulk array once. So a 1 MiB array costs
// one copy, the shared buffer stays small, and the frame owns its buffer: a transport may move it to
// another thread as it is. Ownership: a returned frame that spans its whole `ArrayBuffer` is the
// caller's (the writer never touches that buffer again); any other is a view into the shared buffer,
// which no frame ever fills to its last byte (see `reserve`).
//
// Gathered frames (`gatherBulk`, for `encodeParts` and a transport that writes a frame from pieces): the
// bulk pieces of ByteParts, whose owner gave them away, are not copied at all; the frame comes back as
// its pieces.

/** Writes one nested value; handed to `EncodeWalk.write` for the payloads it writes. */
export type EncodeItem = (value: unknown) => void;

const textEncoder = new TextEncoder();
const minimumBuffer = 8192;
// A frame starts in the current buffer only if this much is left; otherwise in a new one.
const startRoom = 2048;

// On Node, Buffer.allocUnsafeSlow skips zero-filling (as cbor-x does); only written bytes are read. It
// is taken as a plain Uint8Array: each frame is a view of it, and a Buffer's views are made by Node's
// Buffer constructor, several times the cost, on every message sent. Elsewhere a plain Uint8Array.
const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;
const allocate =
  nodeBuffer === undefined
    ? (size: number) => new Uint8Array(size)
    : (size: number) => new Uint8Array(nodeBuffer.allocUnsafeSlow(size).buffer, 0, size);

let target = allocate(minimumBuffer);
let view = new DataView(target.buffer);
let position = 0;
let start = 0;
let walk: EncodeWalk;
let useRecords = true;

/** A byte array at least this long is bulk (see above): copied once, straight into its frame's own buffer. */
const bulkBytes = 32 * 1024;
// The bulk arrays of the frame being written, four entries each: where its bytes go (an offset from the frame's
// start, as the frame may move to a new shared buffer, see replaceBuffer), the array, its length when written,
// and 1 when its owner gave it away (a piece of ByteParts, which a gathered frame refers to), 0 when it is lent.
const bulk: (number | Uint8Array)[] = [];
let bulkTotal = 0;

// Records: a tree of key transitions (key → next node), kept across frames so the common shapes cost one
// lookup per key. A node's `id` is its record id in the frame being written; `defined` lists the nodes
// that got one, so the frame's end forgets them (records are in-band per frame).
const recordId = Symbol('record id');
interface RecordNode {
  [key: string]: RecordNode | undefined;
  [recordId]?: number | undefined;
}
let keyTree: RecordNode = Object.create(null);
let keyNodes = 0;
const defined: RecordNode[] = [];
// Key lists met once in the frame being written (`recordId` -1): their first object went as a map.
const seenOnce: RecordNode[] = [];
let nextRecordId = 0;
const maximumRecords = 256;
// Past this many nodes the tree is dropped between frames, so odd shapes cannot grow it without bound.
const maximumKeyNodes = 10_000;

/**
 * Encodes `value` as one CBOR item with `walkInProgress` deciding every non-plain object. A frame with
 * bulk arrays is finished by `finishBulk`: assembled into a buffer of its own, or gathered
 * ({@link gatherBulk}, which only encode-parts.ts names, so a bundle that never gathers leaves it out).
 * @returns a view of the bytes written (valid until the caller lets go of it; never written over), or
 *   what `finishBulk` returns
 * @throws EncodeError for a value it cannot write, whatever the walk throws, a `RangeError` when
 *   the value nests deeper than the stack
 */
export function encodeItem(
  value: unknown,
  walkInProgress: EncodeWalk,
  records: boolean,
  finishBulk: () => Uint8Array | ByteParts = assembleBulk,
): Uint8Array | ByteParts {
  start = position;
  if (target.length - position < startRoom) replaceBuffer(target.length);
  walk = walkInProgress;
  useRecords = records;
  try {
    write(value);
    if (bulk.length > 0) return finishBulk();
    return target.subarray(start, position);
  } catch (error) {
    position = start;
    throw error;
  } finally {
    // Setting an array's length is a runtime call even when it changes nothing (most frames have no
    // bulk bytes and define no record): each is reset only when used.
    if (bulk.length > 0) {
      bulk.length = 0;
      bulkTotal = 0;
    }
    if (defined.length > 0) {
      for (const node of defined) node[recordId] = undefined;
      defined.length = 0;
    }
    if (seenOnce.length > 0) {
      for (const node of seenOnce) node[recordId] = undefined;
      seenOnce.length = 0;
    }
    nextRecordId = 0;
    if (keyNodes > maximumKeyNodes) {
      keyTree = Object.create(null);
      keyNodes = 0;
    }
  }
}

/**
 * The frame just written, in a buffer of its own of exactly its size: the bytes written to the shared
 * buffer with each bulk array copied in where it belongs. The shared buffer's part is free again.
 *
 * @throws EncodeError when a bulk array changed length while the value was written (a getter detached
 *   its buffer): its header would no longer match its bytes
 */
function assembleBulk(): Uint8Array {
  // A plain Uint8Array, not Node's Buffer, whose slice() is a view the frame's transfer would detach.
  const frame = new Uint8Array(allocate(position - start + bulkTotal).buffer);
  let from = start;
  let to = 0;
  for (let index = 0; index < bulk.length; index += 4) {
    const offset = start + (bulk[index] as number);
    const part = checkedBulkPart(index);
    frame.set(target.subarray(from, offset), to);
    to += offset - from;
    frame.set(part, to);
    to += part.length;
    from = offset;
  }
  frame.set(target.subarray(from, position), to);
  position = start;
  return frame;
}

/**
 * Finishes a frame with bulk arrays gathered: as its pieces in order, the writer's own bytes as views of
 * the shared buffer, which stay there (the next frame starts after them, so they are never written over),
 * the given bulk arrays as they are, and the lent ones copied once, as they are now, into buffers of their
 * own. A frame with by-reference values, or without a given array, is assembled instead (its descriptors
 * go before it; nothing would be saved).
 *
 * @throws EncodeError as {@link assembleBulk} does
 */
export function gatherBulk(): Uint8Array | ByteParts {
  let given = false;
  for (let index = 3; index < bulk.length; index += 4) given ||= bulk[index] === 1;
  if (!given || walk.references.length > 0) return assembleBulk();
  const parts: Uint8Array[] = [];
  let from = start;
  for (let index = 0; index < bulk.length; index += 4) {
    const offset = start + (bulk[index] as number);
    const part = checkedBulkPart(index);
    if (offset > from) parts.push(target.subarray(from, offset));
    if (bulk[index + 3] === 1) {
      parts.push(part);
    } else {
      const copy = allocate(part.length);
      copy.set(part);
      parts.push(copy);
    }
    from = offset;
  }
  if (position > from) parts.push(target.subarray(from, position));
  return new ByteParts(parts);
}

/**
 * The bulk array noted at `index`.
 * @throws EncodeError when it changed length while the value was written (a getter detached its
 *   buffer): its header would no longer match its bytes
 */
function checkedBulkPart(index: number): Uint8Array {
  const part = bulk[index + 1] as Uint8Array;
  if (part.length !== bulk[index + 2]) {
    throw new EncodeError(
      'unsupported-type',
      'expected a byte array to keep its length while it was written',
    );
  }
  return part;
}

/** Moves the frame written so far (from `start`) to a fresh buffer of at least `size` bytes. */
function replaceBuffer(size: number): void {
  const next = allocate(Math.max(size, minimumBuffer));
  next.set(target.subarray(start, position));
  position -= start;
  start = 0;
  target = next;
  view = new DataView(next.buffer);
}

/**
 * Makes room for `bytes` more bytes at `position`: a buffer 4 times the frame so far, so the next
 * frames fit too. Room means more than `bytes`: a frame written within it ends before the buffer's
 * last byte, so no view into the shared buffer ever spans all of it (only an owned frame does).
 */
function reserve(bytes: number): void {
  if (position + bytes >= target.length) replaceBuffer((position - start + bytes) * 4);
}

// Room every `write` makes before it writes anything: enough for the headers a value writes before it
// writes a nested value (whose `write` makes room again) or reserves room for its payload.
const headerRoom = 32;

/**
 * Writes a header: major type `major` (0-7, shifted) with `argument` (a non-negative integer below
 * 2^32). Makes no room: the `write` in progress made `headerRoom`.
 */
function header(major: number, argument: number): void {
  if (argument < 24) {
    target[position++] = major | argument;
  } else if (argument < 0x100) {
    target[position++] = major | 24;
    target[position++] = argument;
  } else if (argument < 0x10000) {
    target[position++] = major | 25;
    target[position++] = argument >> 8;
    target[position++] = argument & 0xff;
  } else {
    target[position++] = major | 26;
    view.setUint32(position, argument);
    position += 4;
  }
}

// The major types, shifted into the header byte. An enum: a bundler inlines its members as literals.
enum Major {
  Unsigned = 0x00,
  Negative = 0x20,
  Bytes = 0x40,
  Text = 0x60,
  Array = 0x80,
  Map = 0xa0,
  Tag = 0xc0,
}

function write(value: unknown): void {
  if (position + headerRoom >= target.length) reserve(headerRoom);
  switch (typeof value) {
    case 'string':
      writeString(value);
      break;
    case 'number':
      if (value >>> 0 === value) {
        header(Major.Unsigned, value);
      } else if (value < 0 && value >= -0x100000000 && Math.floor(value) === value) {
        header(Major.Negative, -1 - value);
      } else {
        target[position++] = 0xfb;
        view.setFloat64(position, value);
        position += 8;
      }
      break;
    case 'object':
      if (value === null) writeSimple(0xf6);
      else writeObject(value);
      break;
    case 'boolean':
      writeSimple(value ? 0xf5 : 0xf4);
      break;
    case 'undefined':
      writeSimple(0xf7);
      break;
    case 'bigint':
      writeBigInt(value);
      break;
    case 'function':
      throw new EncodeError('unsupported-type', functionMessage);
    default:
      throw new EncodeError('unsupported-type', symbolMessage);
  }
}

function writeTag(tag: number): void {
  header(Major.Tag, tag);
}

function writeSimple(byte: number): void {
  target[position++] = byte;
}

function writeString(value: string): void {
  const length = value.length;
  // UTF-8 takes at most 3 bytes per UTF-16 unit. Leave room for the header ASCII text would need (one
  // byte per unit), and move the text only if its real length needs another header.
  const maximum = length * 3;
  const headerBytes = headerSize(length);
  reserve(5 + maximum);
  const textStart = position + headerBytes;
  let end = textStart;
  if (length < 64) {
    // Short strings: a loop beats the call into TextEncoder.
    for (let index = 0; index < length; index++) {
      let code = value.charCodeAt(index);
      if (code < 0x80) {
        target[end++] = code;
      } else if (code < 0x800) {
        target[end++] = 0xc0 | (code >> 6);
        target[end++] = 0x80 | (code & 0x3f);
      } else {
        const next = value.charCodeAt(index + 1);
        if ((code & 0xfc00) === 0xd800 && (next & 0xfc00) === 0xdc00) {
          code = 0x10000 + ((code & 0x3ff) << 10) + (next & 0x3ff);
          index++;
          target[end++] = 0xf0 | (code >> 18);
          target[end++] = 0x80 | ((code >> 12) & 0x3f);
        } else {
          target[end++] = 0xe0 | (code >> 12);
        }
        target[end++] = 0x80 | ((code >> 6) & 0x3f);
        target[end++] = 0x80 | (code & 0x3f);
      }
    }
  } else {
    end += textEncoder.encodeInto(value, target.subarray(textStart, textStart + maximum)).written;
  }
  const bytes = end - textStart;
  const needed = headerSize(bytes);
  if (needed !== headerBytes) target.copyWithin(position + needed, textStart, end);
  header(Major.Text, bytes);
  position += bytes;
}

/** Bytes of a header whose argument is `argument`. */
function headerSize(argument: number): number {
  return argument < 24 ? 1 : argument < 0x100 ? 2 : argument < 0x10000 ? 3 : 5;
}

function writeBigInt(value: bigint): void {
  if (value >= 0n && value < 0x10000000000000000n) {
    target[position++] = 0x1b;
    view.setBigUint64(position, value);
    position += 8;
    return;
  }
  if (value < 0n && value > -0x10000000000000000n) {
    target[position++] = 0x3b;
    view.setBigUint64(position, -1n - value);
    position += 8;
    return;
  }
  // A bignum: the magnitude's bytes, most significant first.
  header(Major.Tag, value < 0n ? negativeBignumTag : positiveBignumTag);
  let magnitude = value < 0n ? -1n - value : value;
  const bytes: number[] = [];
  while (magnitude > 0n) {
    bytes.push(Number(magnitude & 0xffn));
    magnitude >>= 8n;
  }
  writeBytes(new Uint8Array(bytes.reverse()));
}

function writeBytes(bytes: Uint8Array): void {
  const length = bytes.length;
  header(Major.Bytes, length);
  if (length >= bulkBytes) {
    addBulk(bytes, 0); // lent: a call's argument, a result
    return;
  }
  reserve(bytes.length);
  target.set(bytes, position);
  position += bytes.length;
}

/**
 * Notes `bytes` as bulk at the current position: copied once the frame is written, into its own buffer
 * (see assembleBulk), or, `given` away and the frame gathered, left in place (see gatherBulk).
 */
function addBulk(bytes: Uint8Array, given: 0 | 1): void {
  bulk.push(position - start, bytes, bytes.length, given);
  bulkTotal += bytes.length;
}

/** The byte string `parts` make up, each part copied once (as bulk when the whole is, see writeBytes). */
function writeByteParts(parts: readonly Uint8Array[]): void {
  // Summed here, not taken from the ByteParts: the header must match the pieces as they are now (a
  // view on a resizable buffer changes length with it).
  let length = 0;
  for (const part of parts) length += part.length;
  header(Major.Bytes, length);
  if (length >= bulkBytes) {
    // ByteParts' pieces are given away (see its ownership rule): a gathered frame refers to them.
    for (const part of parts) addBulk(part, 1);
    return;
  }
  reserve(length);
  for (const part of parts) {
    target.set(part, position);
    position += part.length;
  }
}

/** The little-endian tag of each typed array class (the inverse of `typedArrayTags`). */
const typedArrayClassTags = new Map<unknown, number>([...typedArrayTags].map(([tag, type]) => [type, tag]));
// Big-endian machines write the big-endian tags, 4 below the little-endian ones.
const endianOffset = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 4;

function writeObject(value: object): void {
  const type = value.constructor;
  if (type === Object) {
    writePlainObject(value);
    return;
  }
  if (type === Array) {
    const array = value as unknown[];
    const length = array.length;
    header(Major.Array, length);
    for (let index = 0; index < length; index++) write(array[index]);
    return;
  }
  if (type === Uint8Array) {
    header(Major.Tag, 64);
    writeBytes(value as Uint8Array);
    return;
  }
  if (type === ByteParts) {
    header(Major.Tag, 64);
    writeByteParts((value as ByteParts).parts);
    return;
  }
  if (type === Map) {
    const map = value as Map<unknown, unknown>;
    header(Major.Tag, mapTag);
    header(Major.Map, map.size);
    for (const [key, item] of map) {
      write(key);
      write(item);
    }
    return;
  }
  if (walk.write(value, writeTag, write)) return;
  // What the walk leaves to the writer: sets, typed arrays, and objects without a class.
  if (value instanceof Set) {
    header(Major.Tag, setTag);
    header(Major.Array, value.size);
    for (const item of value) write(item);
    return;
  }
  if (ArrayBuffer.isView(value)) {
    // Byte arrays of other classes (Node's Buffer) are written as Uint8Arrays.
    const tag = value instanceof Uint8Array ? 64 + endianOffset : typedArrayClassTags.get(type);
    if (tag === undefined)
      throw new EncodeError(
        'unsupported-type',
        `expected a typed array, got ${(type as { name?: string }).name}`,
      );
    header(Major.Tag, tag - endianOffset);
    writeBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return;
  }
  writePlainObject(value);
}

/** `record` as a CBOR map of its `length` own enumerable keys (`checkOwn`: see `writePlainObject`). */
function writeMap(record: Record<string, unknown>, length: number, checkOwn: boolean): void {
  header(Major.Map, length);
  for (const key in record) {
    // biome-ignore lint/suspicious/noPrototypeBuiltins: the form V8 optimizes inside for-in (below)
    if (checkOwn && !record.hasOwnProperty(key)) continue;
    writeString(key);
    write(record[key]);
  }
}

function writePlainObject(object: object): void {
  const record = object as Record<string, unknown>;
  // `record.hasOwnProperty(key)` inside `for (key in record)` is what V8 optimizes (`Object.hasOwn`
  // there makes this encode 1.5 times slower); objects without a prototype have no such method.
  const checkOwn = typeof record.hasOwnProperty === 'function';
  if (!useRecords) {
    writeMap(record, Object.keys(record).length, checkOwn);
    return;
  }
  // Walk the key tree along the object's own keys, in order.
  let node = keyTree;
  let length = 0;
  for (const key in record) {
    // biome-ignore lint/suspicious/noPrototypeBuiltins: the form V8 optimizes inside for-in (above)
    if (checkOwn && !record.hasOwnProperty(key)) continue;
    let next = node[key];
    if (next === undefined) {
      next = Object.create(null) as RecordNode;
      node[key] = next;
      keyNodes++;
    }
    node = next;
    length++;
  }
  const id = node[recordId];
  if (id === undefined) {
    // The first object of this key list in the frame goes as a map: a record's definition costs
    // more to write and read than a map's keys, and pays off only from its second object on.
    node[recordId] = -1;
    seenOnce.push(node);
    writeMap(record, length, checkOwn);
    return;
  }
  if (id >= 0) {
    // The record's tag (0xd9 0xe0 id: a two-byte tag), inline: most objects of a frame take this path.
    target[position++] = 0xd9;
    target[position++] = 0xe0;
    target[position++] = id;
    header(Major.Array, length);
  } else {
    // Second object of this key list in the frame: define the record. After 256 definitions the ids
    // start again at 0 (the decoder replaces a definition with the next one of the same id).
    const fresh = nextRecordId;
    nextRecordId = (nextRecordId + 1) % maximumRecords;
    if (defined.length === maximumRecords) defined[fresh]![recordId] = undefined;
    defined[fresh] = node;
    node[recordId] = fresh;
    header(Major.Tag, recordDefinitionTag);
    header(Major.Array, length + 2);
    header(Major.Unsigned, recordTagFirst + fresh);
    header(Major.Array, length);
    for (const key in record) {
      // biome-ignore lint/suspicious/noPrototypeBuiltins: the form V8 optimizes inside for-in (above)
      if (!checkOwn || record.hasOwnProperty(key)) writeString(key);
    }
  }
  for (const key in record) {
    // biome-ignore lint/suspicious/noPrototypeBuiltins: the form V8 optimizes inside for-in (above)
    if (!checkOwn || record.hasOwnProperty(key)) write(record[key]);
  }
}
