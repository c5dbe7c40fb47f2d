import { describe, expect, test } from 'vitest';
import { readLines } from '../src/index.ts';

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array | string> {
  yield* parts;
}

async function collect(input: AsyncIterable<Uint8Array | string>, maxLineBytes?: number) {
  const lines = [];
  for await (const line of readLines(input, maxLineBytes)) lines.push(line);
  return lines;
}

describe('readLines', () => {
  test('joins lines split across chunks (a multi-byte character included), drops CR and blank lines', async () => {
    const text = new TextEncoder().encode('{"a":"é"}\r\n\n{"b":2}');
    const lines = await collect(chunks(text.subarray(0, 7), text.subarray(7, 9), text.subarray(9)));
    expect(lines).toEqual([
      { number: 1, text: '{"a":"é"}' },
      { number: 3, text: '{"b":2}' },
    ]);
  });

  test('an overlong line, in one chunk or across many, is reported with its length and the next is read', async () => {
    const lines = await collect(
      chunks('short\n', 'x'.repeat(12), '\nabc', 'defghijklmno', 'p\nok\n', 'y'.repeat(20)),
      10,
    );
    expect(lines).toEqual([
      { number: 1, text: 'short' },
      { number: 2, overlong: 12 },
      { number: 3, overlong: 16 },
      { number: 4, text: 'ok' },
      { number: 5, overlong: 20 },
    ]);
  });

  test('64 MiB without a newline streams through without being held', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    let peak = 0;
    const megabyte = new Uint8Array(1024 * 1024).fill(0x78);
    async function* huge(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < 64; index++) {
        const usage = process.memoryUsage();
        peak = Math.max(peak, usage.heapUsed + usage.arrayBuffers - before);
        yield megabyte;
      }
      yield new TextEncoder().encode('\n{"after":true}\n');
    }
    const lines = await collect(huge());
    expect(lines).toEqual([
      { number: 1, overlong: 64 * 1024 * 1024 },
      { number: 2, text: '{"after":true}' },
    ]);
    expect(peak).toBeLessThan(24 * 1024 * 1024);
  });
});
