import { describe, expect, it } from 'vitest';
import { frameCodec, frameServerMessages } from '../src/adapters/floor.ts';
import { floorServer } from '../src/adapters/floor-flow.ts';

// The byte floors' server frames a stream's shared chunk once (floor.ts, `framedChunk`): its send
// copies no chunk, as @msc's gather writes copy none, and every frame still reads as the chunk.
describe('the byte floors frame a stream once', () => {
  it("a byte stream's chunks go out as one frame sent again, the short last chunk in one of its own", () => {
    const sent: Uint8Array[] = [];
    const serve = floorServer(frameServerMessages, (message) => sent.push(message));
    const chunkBytes = 64 * 1024;
    serve(frameCodec.byteStreamRequest(3 * chunkBytes + 10, chunkBytes));
    // The window (1 MiB) holds the whole stream: four chunks and the end.
    expect(sent).toHaveLength(5);
    const [first, second, third, last, end] = sent as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(last).not.toBe(first);
    expect(frameCodec.classify(first)).toStrictEqual({ type: 'chunk', bytes: chunkBytes });
    expect(frameCodec.classify(last)).toStrictEqual({ type: 'chunk', bytes: 10 });
    expect(frameCodec.classify(end)).toStrictEqual({ type: 'end' });
    // The short chunk's bytes are the shared chunk's first ten.
    expect(Buffer.from(last.subarray(1)).equals(Buffer.from(first.subarray(1, 11)))).toBe(true);
  });
});
