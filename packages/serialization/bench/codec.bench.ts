// Throughput of the codec beside raw cbor-x and JSON. Run: npx pnpm@10.34.8 --filter @msc/serialization bench
// Plain data should stay near raw cbor-x (the codec's own CBOR writer and reader are as fast; the
// codec adds a scan on decode and a check per non-plain object on encode); cbor-x with records is the
// ceiling for small objects.
import { decode as cborDecode, encode as cborEncode, Decoder, Encoder } from 'cbor-x';
import { bench, describe } from 'vitest';
import { Codec, ContractRegistry } from '../src/index.ts';

class Player {
  id = 0;
  name = '';
  score = 0;
}
const registry = new ContractRegistry();
registry.register(Player, { name: 'bench.Player', fields: ['id', 'name', 'score'] });

const codec = new Codec({ registry });
const mapsCodec = new Codec({ registry, records: false });
const recordsEncoder = new Encoder({ useRecords: true });
const recordsDecoder = new Decoder({});
const time = 700;

const megabyte = new Uint8Array(1024 * 1024).map((_, index) => (index * 31) & 0xff);
const players = Array.from({ length: 10_000 }, (_, index) => ({
  id: index,
  name: `player-${index}`,
  score: index * 1.5 + 0.25,
}));
const playerContracts = players.map((player) => Object.assign(new Player(), player));
const smallMessage = [7, 'call', 42, 'move', [3, 4]];

const frames = {
  megabyteCodec: codec.encode(megabyte),
  megabyteCbor: cborEncode(megabyte),
  megabyteJson: JSON.stringify(Buffer.from(megabyte).toString('base64')),
  playersCodec: codec.encode(players),
  playersCodecMaps: mapsCodec.encode(players),
  playersCbor: cborEncode(players),
  playersCborRecords: recordsEncoder.encode(players),
  playersJson: JSON.stringify(players),
  contractsCodec: codec.encode(playerContracts),
  smallCodec: codec.encode(smallMessage),
  smallCbor: cborEncode(smallMessage),
  smallJson: JSON.stringify(smallMessage),
};
console.log('encoded sizes (bytes):');
for (const [name, frame] of Object.entries(frames)) console.log(`  ${name.padEnd(20)} ${frame.length}`);

// First: the per-message cost the session pays on every call, measured before the large frames
// below have warmed the shared cbor-x code paths with other shapes.
describe('encode + decode a small message [7, "call", 42, "move", [3, 4]]', () => {
  bench('codec', () => void codec.decode(codec.encode(smallMessage)), { time });
  bench('cbor-x', () => void cborDecode(cborEncode(smallMessage)), { time });
  bench('JSON', () => void JSON.parse(JSON.stringify(smallMessage)), { time });
});

describe('encode 1 MiB Uint8Array', () => {
  bench('codec', () => void codec.encode(megabyte), { time });
  bench('cbor-x', () => void cborEncode(megabyte), { time });
  bench('JSON (base64)', () => void JSON.stringify(Buffer.from(megabyte).toString('base64')), { time });
});

describe('decode 1 MiB Uint8Array', () => {
  bench('codec', () => void codec.decode(frames.megabyteCodec), { time });
  bench('cbor-x', () => void cborDecode(frames.megabyteCbor), { time });
  bench('JSON (base64)', () => void Buffer.from(JSON.parse(frames.megabyteJson) as string, 'base64'), {
    time,
  });
});

describe('encode 10,000 {id, name, score}', () => {
  bench('codec (records)', () => void codec.encode(players), { time });
  bench('codec (maps)', () => void mapsCodec.encode(players), { time });
  bench('codec, as contracts', () => void codec.encode(playerContracts), { time });
  bench('cbor-x (maps)', () => void cborEncode(players), { time });
  bench('cbor-x (records)', () => void recordsEncoder.encode(players), { time });
  bench('JSON', () => void JSON.stringify(players), { time });
});

describe('decode 10,000 {id, name, score}', () => {
  bench('codec (records)', () => void codec.decode(frames.playersCodec), { time });
  bench('codec (maps)', () => void codec.decode(frames.playersCodecMaps), { time });
  bench('codec, as contracts', () => void codec.decode(frames.contractsCodec), { time });
  bench('cbor-x (maps)', () => void cborDecode(frames.playersCbor), { time });
  bench('cbor-x (records)', () => void recordsDecoder.decode(frames.playersCborRecords), { time });
  bench('JSON', () => void JSON.parse(frames.playersJson), { time });
});
