import { DecodeError } from './decode-error.ts';
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
  typedArrayOfTag,
} from './wire-tags.ts';

// Why one file over 450 lines: the scan is a single state machine (the expectation and container
// constants, the loop and its pricing); split across files, one transition would be read in three.
//
// Why a separate scan: the reader (`cbor-decoder.ts`) decodes recursively and trusts lengths, tags and
// record definitions it finds. This loop walks the frame once, iteratively (an explicit stack, so no input can overflow the
// JavaScript stack), and rejects everything this codec never writes before the reader sees a byte. It
// allocates nothing and skips over string and byte payloads, so it costs a fraction of decoding.
//
// It also prices the frame: every container, tag and record definition adds the work units
// `limits.ts` lists, checked against the frame's budget as each one opens, so a frame whose shape
// would make the reader build far more than its bytes (millions of empty arrays, thousands of record
// definitions, records with hundreds of thousands of keys) is refused before anything is built.

// What the next item must be, decided by its parent (a tag, or a position inside a container). Enums,
// not consts: a bundler inlines enum members as literals, a module-level const stays a variable.
enum Expect {
  Any = 0,
  Root = 1,
  Number = 2,
  Bignum = 3,
  Typed = 4, // byte string whose length is a multiple of the element size (`extra`)
  Array = 5,
  Map = 6,
  Unsigned = 7,
  ContractArray = 8,
  ShapeOrIndex = 9,
  Pair = 10,
  Descriptors = 11,
  BytesOrTag64 = 12,
  RecordDefinition = 13,
  RecordId = 14,
  RecordKeys = 15,
  String = 16,
}

// What kind of container an open stack entry is.
enum Kind {
  Array = 0,
  Map = 1,
  Tag = 2,
  Contract = 3,
  Frame = 4,
  RecordDefinition = 5,
  RecordKeys = 6,
}

// Scratch stacks, shared: the scan never calls out, so it can never be re-entered.
let kinds = new Int32Array(64);
let remaining = new Int32Array(64);
let totals = new Int32Array(64);
let payloadExpectations = new Int32Array(64);
let payloadExtras = new Float64Array(64);
// Number of values of each in-band record id defined so far in this frame (-1: not defined).
const recordLengths = new Int32Array(recordTagLast - recordTagFirst + 1).fill(-1);
let recordsUsed = false;
// Uses of each record id of this frame since its definition (set to 0 by the definition, so no
// reset between frames is needed).
const recordUses = new Int32Array(recordTagLast - recordTagFirst + 1);
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
// The reader compiles a reader for a record on its third read after the definition.
const compiledRecordUse = 3;

/** What the last {@link scanFrame} counted besides its work: read it right after the call. */
export const scanResult = {
  /** Record definitions in the frame. */
  recordDefinitions: 0,
};

function grow(size: number): void {
  const resize = <T extends Int32Array | Float64Array>(array: T, make: (length: number) => T): T => {
    const next = make(size);
    next.set(array);
    return next;
  };
  kinds = resize(kinds, (length) => new Int32Array(length));
  remaining = resize(remaining, (length) => new Int32Array(length));
  totals = resize(totals, (length) => new Int32Array(length));
  payloadExpectations = resize(payloadExpectations, (length) => new Int32Array(length));
  payloadExtras = resize(payloadExtras, (length) => new Float64Array(length));
}

const majorNames = [
  'unsigned integer',
  'negative integer',
  'byte string',
  'text string',
  'array',
  'map',
  'tag',
  'simple value',
];

function malformed(message: string, offset: number): DecodeError {
  return new DecodeError('malformed', `${message} at byte ${offset}`);
}

function truncated(offset: number): DecodeError {
  return new DecodeError('truncated', `expected more bytes at byte ${offset}, the frame ended`);
}

function workExceeded(
  work: number,
  budget: number,
  end: number,
  limits: DecodeLimits,
  at: number,
): DecodeError {
  return new DecodeError(
    'work-exceeded',
    `expected decode work of at most ${budget} units for a frame of ${end} bytes (limits.maxWorkPerByte ${limits.maxWorkPerByte}), got ${work} by byte ${at}: too many containers, tags or records for the frame's size (raise limits.maxWorkPerByte, or send such data as typed arrays or strings)`,
  );
}

/**
 * Checks that `bytes` is exactly one well-formed item of the CBOR this codec writes, within
 * `limits`; see `wire-tags.ts` for the tags allowed. Leaves the frame's record definition count
 * in {@link scanResult}.
 * @returns the work units the frame costs (see `limits.ts`)
 * @throws DecodeError with the code of the first violation found
 */
export function scanFrame(bytes: Uint8Array, limits: DecodeLimits): number {
  const end = bytes.length;
  if (end > limits.maxFrameBytes) {
    throw new DecodeError(
      'frame-too-large',
      `expected a frame of at most ${limits.maxFrameBytes} bytes, got ${end}`,
    );
  }
  const { maxDepth, maxStringBytes, maxCollectionLength, maxBigIntBytes } = limits;
  // One unit per byte pays for every item (each is at least one byte); the rest is charged below.
  const budget = limits.maxWorkPerByte * end + decodeWorkAllowance;
  let work = end;
  let definitions = 0;
  if (kinds.length < maxDepth + 2) grow(maxDepth + 2);
  if (recordsUsed) {
    // Records are defined in-band per frame: nothing a previous frame defined is visible here.
    recordLengths.fill(-1);
    recordsUsed = false;
  }
  // Locals, not the module bindings: this loop runs once per item of every frame.
  const kindStack = kinds;
  const uses = recordUses;
  const remainingStack = remaining;
  const totalStack = totals;
  const expectationStack = payloadExpectations;
  const extraStack = payloadExtras;
  let position = 0;
  let depth = 0; // open stack entries
  let topKind = Kind.Array; // kind of the innermost open container (meaningless at depth 0)
  for (;;) {
    // What this item must be: anything inside plain arrays and maps (the common case), else what
    // its parent tag or its position in a special container says.
    let expectation = Expect.Any;
    let extra = 0;
    if (depth === 0) {
      expectation = Expect.Root;
    } else if (topKind !== Kind.Array && topKind !== Kind.Map) {
      const top = depth - 1;
      const index = totalStack[top]! - remainingStack[top]!;
      switch (topKind) {
        case Kind.Tag:
          expectation = expectationStack[top]!;
          extra = extraStack[top]!;
          break;
        case Kind.Contract:
          if (index === 0) expectation = Expect.ShapeOrIndex;
          break;
        case Kind.Frame:
          if (index === 0) expectation = Expect.Descriptors;
          break;
        case Kind.RecordDefinition:
          expectation = index === 0 ? Expect.RecordId : index === 1 ? Expect.RecordKeys : Expect.Any;
          extra = totalStack[top]! - 2;
          break;
        default:
          expectation = Expect.String; // Kind.RecordKeys
      }
    }
    const start = position;
    if (position >= end) throw truncated(position);
    const initial = bytes[position++]!;
    const major = initial >> 5;
    const info = initial & 31;
    let argument: number;
    if (info < 24) {
      argument = info;
    } else if (info === 24) {
      if (position + 1 > end) throw truncated(position);
      argument = bytes[position]!;
      position += 1;
    } else if (info === 25) {
      if (position + 2 > end) throw truncated(position);
      argument = (bytes[position]! << 8) | bytes[position + 1]!;
      position += 2;
    } else if (info === 26) {
      if (position + 4 > end) throw truncated(position);
      argument =
        bytes[position]! * 0x1000000 +
        ((bytes[position + 1]! << 16) | (bytes[position + 2]! << 8) | bytes[position + 3]!);
      position += 4;
    } else if (info === 27) {
      // 64-bit arguments: integers (bigint) and doubles only; the writer never writes 64-bit lengths or
      // tags, and the reader would misread them.
      if (major !== 0 && major !== 1 && major !== 7)
        throw malformed(`unexpected 64-bit ${majorNames[major]} header`, start);
      if (position + 8 > end) throw truncated(position);
      argument = Number.POSITIVE_INFINITY;
      position += 8;
    } else {
      // 28-30 are reserved; 31 is an indefinite length or a break, which this codec never writes.
      throw malformed(
        `unexpected ${info === 31 ? 'indefinite-length or break' : 'reserved'} header 0x${initial.toString(16)}`,
        start,
      );
    }

    let isContainer = false;
    let count = 0; // items in the container just opened
    let cost = 0; // work units the container just opened costs (set where one opens)
    let kind = Kind.Array;
    let payloadExpectation = Expect.Any;
    let payloadExtra = 0;

    switch (major) {
      case 0:
      case 1:
        if (expectation === Expect.Unsigned && major !== 0)
          throw malformed('expected an unsigned integer', start);
        if (expectation === Expect.ShapeOrIndex && major !== 0)
          throw malformed('expected a contract shape index', start);
        if (expectation === Expect.RecordId) {
          if (major !== 0 || argument < recordTagFirst || argument > recordTagLast)
            throw malformed('expected a record id', start);
          const id = argument - recordTagFirst;
          recordLengths[id] = extra;
          recordUses[id] = 0;
          recordsUsed = true;
        } else if (
          expectation !== Expect.Any &&
          expectation !== Expect.Root &&
          expectation !== Expect.Number &&
          expectation !== Expect.Unsigned &&
          expectation !== Expect.ShapeOrIndex
        ) {
          throw malformed(`unexpected ${majorNames[major]}`, start);
        }
        break;
      case 2:
        if (argument > end - position) throw truncated(end);
        if (expectation === Expect.Bignum) {
          if (argument > maxBigIntBytes) {
            throw new DecodeError(
              'bigint-too-large',
              `expected a bignum of at most ${maxBigIntBytes} bytes, got ${argument}`,
            );
          }
        } else if (expectation === Expect.Typed) {
          if (argument % extra !== 0)
            throw malformed(`expected a typed array of ${extra}-byte elements, got ${argument} bytes`, start);
        } else if (
          expectation !== Expect.Any &&
          expectation !== Expect.Root &&
          expectation !== Expect.BytesOrTag64
        ) {
          throw malformed('unexpected byte string', start);
        }
        position += argument;
        break;
      case 3:
        if (argument > maxStringBytes) {
          throw new DecodeError(
            'string-too-long',
            `expected a string of at most ${maxStringBytes} bytes, got ${argument}`,
          );
        }
        if (argument > end - position) throw truncated(end);
        if (expectation !== Expect.Any && expectation !== Expect.Root && expectation !== Expect.String) {
          throw malformed('unexpected text string', start);
        }
        position += argument;
        break;
      case 4:
      case 5: {
        if (argument > maxCollectionLength) {
          throw new DecodeError(
            'collection-too-long',
            `expected at most ${maxCollectionLength} ${major === 4 ? 'items' : 'entries'}, got ${argument}`,
          );
        }
        if (major === 5) {
          if (expectation !== Expect.Any && expectation !== Expect.Root && expectation !== Expect.Map) {
            throw malformed('unexpected map', start);
          }
          kind = Kind.Map;
          count = argument * 2;
          // Entries of a `Map` are hash inserts; entries of a plain object add properties, which costs
          // V8 a hidden class per new key name.
          cost = containerWork + argument * (expectation === Expect.Map ? mapEntryWork : objectKeyWork);
        } else {
          count = argument;
          cost = containerWork;
          switch (expectation) {
            case Expect.Any:
            case Expect.Root:
            case Expect.Array:
              break;
            case Expect.ContractArray:
              if (argument < 1) throw malformed('expected a contract array with a shape', start);
              kind = Kind.Contract;
              break;
            case Expect.Pair:
              if (argument !== 2) throw malformed('expected an array of 2 items', start);
              // The same pair shape serves a shape definition and the reference frame; the frame tag marks its own.
              kind = extra === 1 ? Kind.Frame : Kind.Array;
              break;
            case Expect.RecordDefinition: {
              if (argument < 2) throw malformed('expected a record definition', start);
              const keys = argument - 2;
              // Read here, not with the other limits: most frames define few records, if any.
              const { maxRecordKeys, maxRecordDefinitions } = limits;
              if (keys > maxRecordKeys) {
                throw new DecodeError(
                  'record-too-wide',
                  `expected a record of at most ${maxRecordKeys} keys (limits.maxRecordKeys), got ${keys} at byte ${start}; send a Map for dictionaries`,
                );
              }
              if (++definitions > maxRecordDefinitions) {
                throw new DecodeError(
                  'too-many-records',
                  `expected at most ${maxRecordDefinitions} record definitions in a frame (limits.maxRecordDefinitions), got more at byte ${start}`,
                );
              }
              cost += recordDefinitionWork + keys * recordKeyWork;
              kind = Kind.RecordDefinition;
              break;
            }
            case Expect.RecordKeys:
              if (argument !== extra)
                throw malformed(`expected ${extra} record keys, got ${argument}`, start);
              kind = Kind.RecordKeys;
              break;
            default:
              throw malformed('unexpected array', start);
          }
        }
        isContainer = true;
        break;
      }
      case 6: {
        const tag = argument;
        cost = tagWork;
        if (expectation === Expect.ShapeOrIndex) {
          if (tag !== shapeDefinitionTag) throw malformed('expected a contract shape', start);
          payloadExpectation = Expect.Pair;
        } else if (expectation === Expect.Descriptors) {
          if (tag !== descriptorsTag) throw malformed('expected the descriptor list', start);
          payloadExpectation = Expect.Array;
        } else if (expectation === Expect.BytesOrTag64) {
          if (tag !== 64) throw malformed('expected bytes', start);
          payloadExpectation = Expect.Typed;
          payloadExtra = 1;
        } else if (expectation !== Expect.Any && expectation !== Expect.Root) {
          // A number, a string, an unsigned integer, a record's id or keys: never a tag.
          throw malformed('unexpected tag', start);
        } else if (tag >= recordTagFirst && tag <= recordTagLast) {
          const id = tag - recordTagFirst;
          const length = recordLengths[id]!;
          if (length < 0) throw malformed(`record ${tag} used before its definition`, start);
          // One container (the tag and its value array), and per value for a record too wide for fast-mode objects.
          cost = length > fastRecordKeys ? containerWork + length * wideRecordValueWork : containerWork;
          if (++uses[id]! === compiledRecordUse) cost += recordCompileWork + recordCompileKeyWork * length;
          // The bulk of object-heavy frames: read the value array's header here and open the tag and
          // its array as one plain-array entry (the depth check still counts both levels).
          if (position >= end) throw truncated(position);
          const header = bytes[position]!;
          let values = header & 31;
          if (header >> 5 !== 4 || values > 26) throw malformed('expected a record value array', position);
          if (values === 24) {
            if (position + 2 > end) throw truncated(position);
            values = bytes[position + 1]!;
            position += 2;
          } else if (values === 25) {
            if (position + 3 > end) throw truncated(position);
            values = (bytes[position + 1]! << 8) | bytes[position + 2]!;
            position += 3;
          } else if (values === 26) {
            if (position + 5 > end) throw truncated(position);
            values =
              bytes[position + 1]! * 0x1000000 +
              ((bytes[position + 2]! << 16) | (bytes[position + 3]! << 8) | bytes[position + 4]!);
            position += 5;
          } else {
            position += 1;
          }
          if (values !== length)
            throw malformed(`expected a record of ${length} values, got ${values}`, start);
          if (depth + 2 > maxDepth) {
            throw new DecodeError(
              'too-deep',
              `expected nesting of at most ${maxDepth} levels, got more at byte ${start}`,
            );
          }
          kind = Kind.Array;
          count = values;
          isContainer = true;
          break;
        } else {
          switch (tag) {
            case dateTag:
            case dateMillisecondsTag:
              payloadExpectation = Expect.Number;
              break;
            case positiveBignumTag:
            case negativeBignumTag:
              payloadExpectation = Expect.Bignum;
              break;
            case setTag:
              payloadExpectation = Expect.Array;
              cost = heavyTagWork;
              break;
            case mapTag:
              payloadExpectation = Expect.Map;
              cost = heavyTagWork;
              break;
            case contractTag:
              payloadExpectation = Expect.ContractArray;
              cost = heavyTagWork;
              break;
            case errorTag:
              payloadExpectation = Expect.Any;
              cost = heavyTagWork;
              break;
            case referenceTag:
              payloadExpectation = Expect.Unsigned;
              break;
            case arrayBufferTag:
              payloadExpectation = Expect.BytesOrTag64;
              cost = heavyTagWork;
              break;
            case recordDefinitionTag:
              payloadExpectation = Expect.RecordDefinition;
              break;
            case referenceFrameTag:
              if (expectation !== Expect.Root) throw malformed('a reference frame tag below the root', start);
              payloadExpectation = Expect.Pair;
              payloadExtra = 1; // marks the pair as the frame's [descriptors, body]
              break;
            default: {
              const elementSize = typedArrayOfTag(tag)?.BYTES_PER_ELEMENT;
              if (elementSize === undefined) {
                throw new DecodeError(
                  'unsupported-tag',
                  `expected a tag this codec writes, got tag ${tag} at byte ${start}`,
                );
              }
              payloadExpectation = Expect.Typed;
              payloadExtra = elementSize;
              cost = heavyTagWork;
            }
          }
        }
        kind = Kind.Tag;
        count = 1;
        isContainer = true;
        break;
      }
      default:
        // Simple values: false, true, null, undefined, and floats.
        if (info === 25 || info === 26 || info === 27) {
          if (expectation !== Expect.Any && expectation !== Expect.Root && expectation !== Expect.Number) {
            throw malformed('unexpected float', start);
          }
        } else if (info >= 20 && info <= 23) {
          if (expectation !== Expect.Any && expectation !== Expect.Root)
            throw malformed('unexpected simple value', start);
        } else {
          throw new DecodeError(
            'unsupported-tag',
            `expected false, true, null, undefined or a float, got simple value ${info} at byte ${start}`,
          );
        }
    }

    if (isContainer) {
      if (depth + 1 > maxDepth) {
        throw new DecodeError(
          'too-deep',
          `expected nesting of at most ${maxDepth} levels, got more at byte ${start}`,
        );
      }
      work += cost;
      if (work > budget) throw workExceeded(work, budget, end, limits, start);
      if (count > 0) {
        kindStack[depth] = kind;
        remainingStack[depth] = count;
        totalStack[depth] = count;
        expectationStack[depth] = payloadExpectation;
        extraStack[depth] = payloadExtra;
        depth++;
        topKind = kind;
        continue;
      }
    }
    // The item is complete: count it against its parents, closing every container it completes.
    if (depth === 0) break;
    if (--remainingStack[depth - 1]! > 0) continue;
    // The innermost container is complete, which completes an item of its parent, and so on.
    depth--;
    while (depth > 0 && --remainingStack[depth - 1]! === 0) depth--;
    if (depth === 0) break;
    topKind = kindStack[depth - 1]!;
  }
  if (position !== end)
    throw malformed(`expected the frame to end after one item, ${end - position} bytes remain`, position);
  scanResult.recordDefinitions = definitions;
  return work;
}
