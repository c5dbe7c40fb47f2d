import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type Bytes,
  type BytesResult,
  bytes,
  bytesToReadableStream,
  type Proxy,
  proxy,
  type Result,
  type Sequence,
  type SequenceResult,
  sequence,
} from '../src/index.ts';

/** A service whose methods return streams, directly and through a promise. */
interface IFiles {
  download(text: string): Bytes;
  downloadLater(text: string): Promise<Bytes>;
  lines(count: number): Sequence<string>;
  linesLater(count: number): Promise<Sequence<string>>;
  chunks(): Sequence<Uint8Array>;
  size(): Promise<number>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Files implements IFiles {
  download(text: string): Bytes {
    const [data, writer] = bytes();
    writer.write(encoder.encode(text));
    void writer.close();
    return data;
  }
  async downloadLater(text: string): Promise<Bytes> {
    return this.download(text);
  }
  lines(count: number): Sequence<string> {
    const [items, writer] = sequence<string>();
    for (let index = 0; index < count; index++) writer.write(`line ${index}`);
    void writer.close();
    return items;
  }
  async linesLater(count: number): Promise<Sequence<string>> {
    return this.lines(count);
  }
  chunks(): Sequence<Uint8Array> {
    const [items, writer] = sequence<Uint8Array>();
    writer.write(encoder.encode('one chunk'));
    void writer.close();
    return items;
  }
  async size() {
    return 3;
  }
}

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk);
  return text;
}

describe('what a stream-returning method gives its caller through a proxy', () => {
  test('a method returning Bytes gives a bytes result: awaited it is the Bytes, not a sequence', () => {
    const files = proxy<IFiles>(new Files());
    // Before: `Bytes` matched `Sequence<Uint8Array>` first, so this was SequenceResult<Uint8Array>
    // and `await` gave a Sequence without `readExactly`.
    expectTypeOf(files.download).returns.toEqualTypeOf<BytesResult>();
    expectTypeOf<Awaited<ReturnType<typeof files.download>>>().toEqualTypeOf<Bytes>();
    expectTypeOf(bytesToReadableStream).parameter(0).toEqualTypeOf<Bytes>();
    expectTypeOf<ReturnType<typeof files.download>>().toExtend<AsyncIterable<Uint8Array>>();
    files[Symbol.dispose]();
  });

  test('a method returning a promise of a stream gives the same stream result as one returning it', () => {
    const files = proxy<IFiles>(new Files());
    // Before: Result<Bytes> and Result<Sequence<string>>, which `for await` refused.
    expectTypeOf(files.downloadLater).returns.toEqualTypeOf<BytesResult>();
    expectTypeOf(files.linesLater).returns.toEqualTypeOf<SequenceResult<string>>();
    expectTypeOf<ReturnType<typeof files.linesLater>>().toExtend<AsyncIterable<string>>();
    files[Symbol.dispose]();
  });

  test('sequences, sequences of byte chunks and plain values keep their results', () => {
    const files = proxy<IFiles>(new Files());
    expectTypeOf(files.lines).returns.toEqualTypeOf<SequenceResult<string>>();
    expectTypeOf(files.chunks).returns.toEqualTypeOf<SequenceResult<Uint8Array>>();
    expectTypeOf<Awaited<ReturnType<typeof files.chunks>>>().toEqualTypeOf<Sequence<Uint8Array>>();
    // A sequence of chunks is not a Bytes: it has no byte-counted reads.
    // @ts-expect-error: Sequence<Uint8Array> lacks readExactly
    const notBytes: Bytes = {} as Awaited<ReturnType<typeof files.chunks>>;
    void notBytes;
    expectTypeOf(files.size).returns.toEqualTypeOf<Result<number>>();
    files[Symbol.dispose]();
  });

  test('bytesToReadableStream(await proxy.method()) type-checks and reads the bytes', async () => {
    using files: Proxy<IFiles> = proxy<IFiles>(new Files());
    expect(await readText(bytesToReadableStream(await files.download('hello')))).toBe('hello');
    expect(await readText(bytesToReadableStream(await files.downloadLater('later')))).toBe('later');
    const exact = await files.download('abcdef');
    expect(decoder.decode(await exact.readExactly(4))).toBe('abcd');
    exact.cancel();
    const lines: string[] = [];
    for await (const line of files.linesLater(2)) lines.push(line);
    expect(lines).toEqual(['line 0', 'line 1']);
    let text = '';
    for await (const chunk of files.downloadLater('iterated')) text += decoder.decode(chunk);
    expect(text).toBe('iterated');
  });
});
