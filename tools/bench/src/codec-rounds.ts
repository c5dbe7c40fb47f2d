/**
 * The codec's CPU beside cbor-x's on the session's typical messages, in interleaved rounds: the
 * check behind issue 17's "without giving up codec speed" (the codec reads and writes CBOR itself
 * since 468cfd0, for size; cbor-x, configured as the codec configured it before, is the speed it
 * must keep). Not part of `pnpm bench`: a quick micro-measurement, run on its own:
 *
 *   npx pnpm@10.34.8 --filter @msc/bench run bench:codec [rounds]   (100 rounds by default)
 *
 * Each round times every (message, operation, codec) once, in an order rotated per round so that
 * neither codec always runs first (GC and JIT state drift across a round); a time is the mean per
 * operation over a batch sized to take a few milliseconds. The report gives each median over the
 * rounds and the codec's ratio to cbor-x's (below 1: the codec is faster). The codec's decode
 * includes its validation of the frame (every length, tag and limit checked before anything is
 * built), which cbor-x does not do.
 */
import { Codec } from '@msc/serialization';
import { Decoder, Encoder } from 'cbor-x';
import { summarize } from './statistics.ts';

// The options the codec gave cbor-x when it used it (as in serialization's cbor-compatibility test).
const cborEncoder = new Encoder({
  useRecords: true,
  mapsAsObjects: true,
  tagUint8Array: true,
  structuredClone: false,
  useFloat32: 0,
});
const cborDecoder = new Decoder({ mapsAsObjects: true, int64AsNumber: false } as ConstructorParameters<
  typeof Decoder
>[0]);
const codec = new Codec();

// `[Call, questionId, targetKind, targetId, method, args]` and `[Return, questionId, kind, value]`
// (packages/session/src/wire/protocol.ts): the numbers are the message types and kinds.
const call = 3;
const returned = 4;
const megabyte = new Uint8Array(1024 * 1024).map((_, index) => (index * 31) & 0xff);
const messages: [name: string, message: unknown[]][] = [
  ['Call with small args', [call, 17, 0, 0, 'move', ['ada', 4, { row: 1, column: 2 }]]],
  ['Return of a small value', [returned, 17, 0, { id: 7, name: 'ada', score: 12.5, tags: ['x', 'o'] }]],
  ['Return of 1 MiB bytes', [returned, 18, 0, megabyte]],
  [
    'Return of a 2,000-item array',
    [
      returned,
      19,
      0,
      Array.from({ length: 2_000 }, (_, id) => ({ id, name: `player-${id}`, score: id * 1.5 })),
    ],
  ],
];

interface Contender {
  name: 'codec' | 'cbor-x';
  encode(message: unknown[]): Uint8Array;
  decode(frame: Uint8Array): unknown;
}
const contenders: Contender[] = [
  { name: 'codec', encode: (message) => codec.encode(message), decode: (frame) => codec.decode(frame) },
  {
    name: 'cbor-x',
    encode: (message) => cborEncoder.encode(message),
    decode: (frame) => cborDecoder.decode(frame),
  },
];

/** Mean nanoseconds per call of `run` over `count` calls. */
function time(run: () => void, count: number): number {
  const start = process.hrtime.bigint();
  for (let index = 0; index < count; index++) run();
  return Number(process.hrtime.bigint() - start) / count;
}

/**
 * Calls per batch so that one batch takes about 1 ms: short batches, interleaved, see the same
 * machine (a busy machine's preemptions fall on both codecs alike).
 */
function batchSize(run: () => void): number {
  const once = Math.max(time(run, 10), 1);
  return Math.max(1, Math.round(1_000_000 / once));
}

interface Task {
  key: string;
  run: () => void;
  count: number;
}

const tasks: Task[] = [];
for (const [name, message] of messages) {
  for (const contender of contenders) {
    // Each decodes its own frame (byte for byte the same but for the copy).
    const frame = new Uint8Array(contender.encode(message));
    const encode = () => void contender.encode(message);
    const decode = () => void contender.decode(frame);
    tasks.push({ key: `${name}|encode|${contender.name}`, run: encode, count: batchSize(encode) });
    tasks.push({ key: `${name}|decode|${contender.name}`, run: decode, count: batchSize(decode) });
  }
}

const rounds = Number(process.argv[2] ?? 100);
const samples = new Map<string, number[]>(tasks.map((task) => [task.key, []]));
for (let round = 0; round < rounds; round++) {
  for (let index = 0; index < tasks.length; index++) {
    const task = tasks[(index + round) % tasks.length]!;
    samples.get(task.key)!.push(time(task.run, task.count));
  }
}

const format = (nanoseconds: number) =>
  nanoseconds >= 1_000_000
    ? `${(nanoseconds / 1_000_000).toFixed(2)} ms`
    : `${(nanoseconds / 1_000).toFixed(2)} µs`;
console.log(
  `codec vs cbor-x, ${rounds} interleaved rounds, medians per operation (ratio < 1: codec faster; fastest rounds' ratio after it)`,
);
for (const [name] of messages) {
  for (const operation of ['encode', 'decode']) {
    const ours = summarize(samples.get(`${name}|${operation}|codec`)!);
    const theirs = summarize(samples.get(`${name}|${operation}|cbor-x`)!);
    console.log(
      `  ${`${name}, ${operation}`.padEnd(40)} codec ${format(ours.median).padStart(10)}  cbor-x ${format(theirs.median).padStart(10)}  ratio ${(ours.median / theirs.median).toFixed(2)} (${(ours.min / theirs.min).toFixed(2)})`,
    );
  }
}
