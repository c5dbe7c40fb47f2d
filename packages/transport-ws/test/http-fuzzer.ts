/**
 * A seeded fuzzer of HTTP request lines, header sets and WebSocket upgrades, sent over raw sockets to any HTTP
 * endpoint on loopback: a `ws()` listener on its own port, an `http.Server` with a `ws()` path attached, a page
 * server. It does not judge the answers (any status, a close, silence are all fine); its callers check what
 * matters: the target process lives and its other sessions keep answering. The same seed and case count send the
 * same bytes, so a failing run is replayed from `seed` alone.
 *
 * Test-only and self-contained (no import from the package), so `tools/reliability` can import it by path.
 */
import { connect, type Socket } from 'node:net';

/** One HTTP endpoint to fuzz. */
export interface HttpFuzzTarget {
  /** A loopback address (`127.0.0.1` or `::1`). */
  readonly host: string;
  readonly port: number;
  /** Paths it serves (WebSocket paths first): well-formed cases aim at these, so they get past routing. */
  readonly paths: readonly string[];
}

/** Options of {@link fuzzHttp}. */
export interface HttpFuzzOptions {
  /** The seed of the case generator (its low 32 bits). */
  readonly seed: number;
  /** How many cases to send, spread over the targets in turn. */
  readonly cases: number;
  /** How many cases are in flight at once. Default 16. */
  readonly concurrency?: number;
  /** How long one case waits for the target to answer or close before the fuzzer closes it, in ms. Default 300. */
  readonly caseTimeoutMs?: number;
  /** Called after every `checkEvery` cases (and after the last); a rejection stops the run and is rethrown. */
  readonly check?: (casesDone: number) => Promise<void>;
  /** Default 250. */
  readonly checkEvery?: number;
}

/** What the targets did with the cases: counts by outcome (`HTTP 400`, `closed`, `timeout`, `refused`…). */
export interface HttpFuzzResult {
  readonly cases: number;
  readonly outcomes: Readonly<Record<string, number>>;
}

/** A small seeded generator (mulberry32). */
class Random {
  #state: number;
  /** How often a field is bent out of shape: high in wild cases, low in near-valid ones (which reach deeper). */
  bend = 0.1;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let value = this.#state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }
  integer(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  /** Whether a field stays as a well-behaved client would send it. */
  intact(): boolean {
    return !this.chance(this.bend);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.integer(items.length)]!;
  }
  bytes(count: number): Buffer {
    const bytes = Buffer.alloc(count);
    for (let index = 0; index < count; index += 1) bytes[index] = this.integer(256);
    return bytes;
  }
  /** Text of `count` characters drawn from `alphabet`. */
  text(count: number, alphabet: string): string {
    let text = '';
    for (let index = 0; index < count; index += 1) text += alphabet[this.integer(alphabet.length)];
    return text;
  }
}

const tokenCharacters = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const printable = Array.from({ length: 95 }, (_, index) => String.fromCharCode(32 + index)).join('');
const nasty = '\u0000\u0001\t\u000b\u007f\u0080\u00ff%[]@:?#\\/"<> ';
const latin1 = Array.from({ length: 256 }, (_, index) => String.fromCharCode(index)).join('');

function method(random: Random): string {
  return random.intact()
    ? 'GET'
    : random.pick([
        'POST',
        'HEAD',
        'OPTIONS',
        'CONNECT',
        'PRI',
        'PUT',
        'get',
        'G\u0000T',
        '',
        'GET GET',
        random.text(1 + random.integer(12), tokenCharacters),
        random.text(1 + random.integer(300), printable),
        'A'.repeat(4_000 + random.integer(8_000)),
      ]);
}

function requestTarget(random: Random, paths: readonly string[]): string {
  const path = random.pick(paths);
  if (random.intact())
    return random.chance(0.8) ? path : `${path}?${random.text(random.integer(20), printable)}`;
  return random.pick([
    '//',
    '///',
    `//${path}`,
    '/\\',
    '\\',
    '*',
    'http://[',
    'http://[::1',
    'http://',
    'http:',
    'ws://',
    'ws:',
    `http://x${path}`,
    `HTTP://127.0.0.1${path}`,
    `ws://127.0.0.1:99999${path}`,
    `http://user:pass@x${path}`,
    `https://%zz${path}`,
    'http://\u00ff/',
    'http://xn--/',
    'http://1.2.3.4.5/',
    '127.0.0.1:80',
    '[::1]:443',
    `${path}#fragment`,
    `${path}/..`,
    `${path}/%2e%2e/`,
    `${path}%00`,
    `${path}%`,
    '/%',
    '/%zz',
    `/${'a'.repeat(2_000 + random.integer(20_000))}`,
    `/${random.text(1 + random.integer(40), nasty)}`,
    `/${random.text(1 + random.integer(40), latin1)}`,
    random.text(1 + random.integer(40), printable),
    '',
  ]);
}

function version(random: Random): string {
  return random.intact()
    ? 'HTTP/1.1'
    : random.pick([
        'HTTP/1.0',
        'HTTP/2.0',
        'HTTP/0.9',
        'HTTP/1.1 ',
        'http/1.1',
        'HTTP/9.9',
        'HTTP/1',
        'HTTP/',
        '',
      ]);
}

function key(random: Random): string {
  if (random.intact()) return random.bytes(16).toString('base64');
  return random.pick([
    '',
    'not base64!',
    random.bytes(15).toString('base64'),
    random.bytes(17).toString('base64'),
    random.bytes(4_000).toString('base64'),
    'dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ==',
  ]);
}

/** Header lines of one case: mostly an upgrade set, with fields dropped, repeated, bent or added. */
function headers(random: Random, host: string, upgrade: boolean): string[] {
  const lines: string[] = [];
  /** Adds a field: a required one unless bent, an optional one with probability `presence`. */
  const add = (name: string, value: () => string, presence?: number) => {
    if (presence === undefined ? !random.intact() : !random.chance(presence)) return;
    lines.push(`${name}: ${value()}`);
    if (random.chance(random.bend / 4)) lines.push(`${name}: ${value()}`); // a repeated field
  };
  add('Host', () =>
    random.intact() ? host : random.pick(['', '[', 'x'.repeat(300), '::1', 'a b', host + host]),
  );
  if (upgrade) {
    add('Upgrade', () =>
      random.intact()
        ? 'websocket'
        : random.pick(['WebSocket', 'h2c', '', 'websocket, h2c', 'x'.repeat(500)]),
    );
    add('Connection', () =>
      random.intact()
        ? 'Upgrade'
        : random.pick(['upgrade, keep-alive', 'keep-alive', 'close', '', 'Upgrade, Upgrade', ',,,']),
    );
    add('Sec-WebSocket-Key', () => key(random));
    add('Sec-WebSocket-Version', () =>
      random.intact() ? '13' : random.pick(['8', '', 'abc', '13, 8', '99999999999999999999', '-1']),
    );
  }
  add(
    'Sec-WebSocket-Protocol',
    () => random.pick(['msc', '', ',', 'a, a', random.text(1 + random.integer(200), printable)]),
    0.15,
  );
  add(
    'Sec-WebSocket-Extensions',
    () =>
      random.pick([
        'permessage-deflate',
        'permessage-deflate; client_max_window_bits',
        'permessage-deflate; server_max_window_bits=99',
        ';;;',
        random.text(1 + random.integer(100), printable),
      ]),
    0.15,
  );
  add(
    'Origin',
    () =>
      random.pick([
        'https://game.example',
        'null',
        '',
        'http://[',
        random.text(1 + random.integer(60), printable),
        random.text(1 + random.integer(20), latin1),
      ]),
    0.3,
  );
  add(
    'Content-Length',
    () => random.pick(['0', '5', '-1', '1e3', '99999999999999999999', '1, 2', ' 3', 'abc']),
    0.1,
  );
  add('Transfer-Encoding', () => random.pick(['chunked', 'gzip, chunked', 'chunked, gzip', 'x', '']), 0.08);
  add('Expect', () => random.pick(['100-continue', 'x']), 0.03);
  const extra = random.bend > 0.1 ? random.integer(4) : random.chance(random.bend) ? 1 : 0;
  for (let index = 0; index < extra; index += 1) {
    lines.push(
      random.pick([
        `X-${random.text(1 + random.integer(16), tokenCharacters)}: ${random.text(random.integer(80), printable)}`,
        `${random.text(1 + random.integer(16), printable)}: value`,
        'no colon at all',
        ': no name',
        ' folded continuation',
        `X-Long: ${'v'.repeat(1_000 + random.integer(20_000))}`,
        `X-Bytes: ${random.text(1 + random.integer(40), latin1)}`,
        'X-Space : before colon',
      ]),
    );
  }
  if (random.chance(random.bend / 10)) {
    // Many fields: past Node's header count and size limits.
    const count = 100 + random.integer(3_000);
    for (let index = 0; index < count; index += 1) lines.push(`X-${index}: ${index}`);
  }
  // Shuffle now and then: field order must not matter.
  if (random.chance(0.2)) {
    for (let index = lines.length - 1; index > 0; index -= 1) {
      const other = random.integer(index + 1);
      [lines[index], lines[other]] = [lines[other]!, lines[index]!];
    }
  }
  return lines;
}

/** Bytes after the header block: nothing, a WebSocket frame (valid or not), a second request, noise. */
function tail(random: Random): Buffer {
  if (random.chance(0.6)) return Buffer.alloc(0);
  return random.pick([
    () => random.bytes(1 + random.integer(200)),
    () => {
      // A masked binary frame, perhaps with a lying length.
      const payload = random.bytes(random.integer(64));
      const mask = random.bytes(4);
      const length = random.chance(0.8) ? payload.length : random.pick([126, 127]);
      const header = Buffer.from([random.chance(0.9) ? 0x82 : random.integer(256), 0x80 | length]);
      const extended =
        length === 126
          ? Buffer.from([0xff, 0xff])
          : length === 127
            ? Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
            : Buffer.alloc(0);
      const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!));
      return Buffer.concat([header, extended, mask, masked]);
    },
    () => Buffer.from([0x88, 0x80, 0, 0, 0, 0]), // a close frame
    () => Buffer.from([0x89, 0x00]), // an unmasked ping (a protocol error from a client)
    () => Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
  ])();
}

/**
 * How a case's bytes go out: all at once then a half-close (`end`), all at once then wait for the answer
 * (`wait`), in two writes 5 ms apart then a half-close (`split`), all at once then a reset (`reset`).
 */
export type HttpFuzzDelivery = 'end' | 'wait' | 'split' | 'reset';

/** One fuzz case: the bytes and how they are delivered. */
export interface HttpFuzzCase {
  readonly bytes: Buffer;
  readonly delivery: HttpFuzzDelivery;
}

/** Case `index` against `target` (deterministic in seed and index). */
export function httpFuzzCase(seed: number, index: number, target: HttpFuzzTarget): HttpFuzzCase {
  const random = new Random((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  random.bend = random.chance(0.5) ? 0.25 : 0.02;
  const upgrade = random.chance(0.8);
  const newline = random.intact() ? '\r\n' : random.pick(['\n', '\r', '\r\r\n', '\n\r']);
  const host = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const requestLine = random.chance(random.bend / 8)
    ? random.text(random.integer(100), latin1)
    : `${method(random)} ${requestTarget(random, target.paths)} ${version(random)}`;
  const head = [requestLine, ...headers(random, host, upgrade)].join(newline);
  const ending = random.intact() ? `${newline}${newline}` : random.pick(['', newline, '\r\n\r']);
  const bytes = Buffer.concat([Buffer.from(head + ending, 'latin1'), tail(random)]);
  const delivery = random.pick<HttpFuzzDelivery>(['end', 'wait', 'wait', 'wait', 'split', 'reset']);
  // Sometimes only a prefix arrives.
  return {
    bytes: random.chance(random.bend / 5) ? bytes.subarray(0, random.integer(bytes.length + 1)) : bytes,
    delivery,
  };
}

/** Sends one case and waits for the answer's status line, the close, or the timeout. */
function runCase(target: HttpFuzzTarget, fuzzCase: HttpFuzzCase, timeoutMs: number): Promise<string> {
  const { bytes, delivery } = fuzzCase;
  return new Promise((resolve) => {
    let outcome: string | undefined;
    let socket: Socket | undefined;
    const finish = (result: string) => {
      if (outcome !== undefined) return;
      outcome = result;
      clearTimeout(timer);
      socket?.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket = connect({ host: target.host, port: target.port });
    socket.on('error', (error: Error & { code?: string }) =>
      finish(error.code === 'ECONNREFUSED' ? 'refused' : `error ${error.code ?? error.message}`),
    );
    socket.on('close', () => finish('closed'));
    socket.once('data', (chunk: Buffer) => {
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1'));
      finish(status === null ? 'other bytes' : `HTTP ${status[1]}`);
    });
    socket.once('connect', () => {
      if (delivery === 'split' && bytes.length > 1) {
        const cut = 1 + (bytes.length >> 1);
        socket!.write(bytes.subarray(0, cut));
        setTimeout(() => socket!.writable && socket!.end(bytes.subarray(cut)), 5);
      } else if (delivery === 'reset') {
        socket!.write(bytes, () => socket!.resetAndDestroy());
      } else if (delivery === 'wait') {
        socket!.write(bytes);
      } else {
        socket!.end(bytes);
      }
    });
  });
}

/**
 * Sends `options.cases` generated requests to the targets in turn, `concurrency` at a time, calling `check`
 * every `checkEvery` cases. Resolves with the counts of outcomes; rejects with `check`'s error (naming the seed
 * and the last case index) when a check fails.
 */
export async function fuzzHttp(
  targets: readonly HttpFuzzTarget[],
  options: HttpFuzzOptions,
): Promise<HttpFuzzResult> {
  const concurrency = options.concurrency ?? 16;
  const timeoutMs = options.caseTimeoutMs ?? 300;
  const checkEvery = options.checkEvery ?? 250;
  const outcomes: Record<string, number> = {};
  let next = 0;
  let done = 0;
  /** Runs cases until case `limit` has been taken. */
  const worker = async (limit: number) => {
    while (next < limit) {
      const index = next;
      next += 1;
      const target = targets[index % targets.length]!;
      const outcome = await runCase(target, httpFuzzCase(options.seed, index, target), timeoutMs);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      done += 1;
    }
  };
  while (next < options.cases) {
    const limit = Math.min(options.cases, next + checkEvery);
    await Promise.all(Array.from({ length: concurrency }, () => worker(limit)));
    if (options.check === undefined) continue;
    try {
      await options.check(done);
    } catch (error) {
      throw new Error(
        `HTTP fuzzing with seed ${options.seed}: the check after case ${done - 1} failed: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
    }
  }
  return { cases: done, outcomes };
}
