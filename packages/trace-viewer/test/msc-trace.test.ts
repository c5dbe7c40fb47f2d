import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';
import { jsonLinesTraceSink, Scope, traceMessages, unauthenticated } from '@msc/session';
import { tcp } from '@msc/transport-tcp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

interface ICounter {
  add(amount: number): Promise<number>;
  clone(): Proxy<ICounter>;
  count(to: number): Sequence<number>;
}

class Counter implements ICounter {
  total = 0;
  async add(amount: number) {
    return (this.total += amount);
  }
  clone() {
    return proxy<ICounter>(new Counter());
  }
  count(to: number) {
    const [items, writer] = sequence<number>();
    void (async () => {
      for (let index = 0; index < to; index++) {
        writer.write(index);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return items;
  }
}

/**
 * A real trace: a server and a client over TCP on loopback, both traced into one JSON lines file
 * (the server's sessions labelled `server`, the client's `client`), with three pipelined calls, a
 * stream of 5 items and a clean end.
 */
async function recordTrace(): Promise<string> {
  const lines: string[] = [];
  const sink = jsonLinesTraceSink((line) => void lines.push(line));
  const transport = tcp();
  const serverSessions: Promise<unknown>[] = [];
  const server = new Scope({
    transport,
    authenticator: unauthenticated(),
    root: proxy<ICounter>(new Counter()),
    trace: traceMessages({ level: 'messages', sink, label: 'server' }),
    onSession: (session) => void serverSessions.push(session.closed),
  });
  const listener = await server.listen('tcp:127.0.0.1:0');
  const client = new Scope({
    transport,
    authenticator: unauthenticated(),
    trace: traceMessages({ level: 'messages', sink, label: 'client' }),
  });
  const remote = client.connect<ICounter>(listener.address);
  // Pipelined: clone() twice and add() go out before the first clone returns.
  expect(await remote.clone().clone().add(2)).toBe(2);
  const received: number[] = [];
  for await (const item of await remote.count(5)) received.push(item);
  expect(received).toEqual([0, 1, 2, 3, 4]);
  remote[Symbol.dispose]();
  await client.close('client done');
  await Promise.all(serverSessions); // the server reads the client's Abort before it closes
  await server.close();
  return lines.join('');
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `msc-trace` (its source, through tsx) as a child process; `input` goes to its stdin. */
function msctrace(args: readonly string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: packageRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // a child that exits early closes its stdin
    child.stdin.end(input ?? '');
  });
}

let folder: string;
let traceFile: string;
let trace: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'msc-trace-'));
  trace = await recordTrace();
  traceFile = join(folder, 'sessions.jsonl');
  await writeFile(traceFile, trace);
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('msc-trace', () => {
  test('prints each session of a TCP trace by name: pipelined calls, the stream, the end', async () => {
    const run = await msctrace([traceFile]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const output = run.stdout;
    const client = output.match(/^(\[\d\]) session "client"$/m)![1]!.replace(/[[\]]/g, '\\$&');
    const server = output.match(/^(\[\d\]) session "server"$/m)![1]!.replace(/[[\]]/g, '\\$&');
    const line = (tag: string, rest: string) => new RegExp(`^${tag} +[\\d.]+ ms  ${rest}`, 'm');
    // The client's three pipelined calls all go out before its first return comes back.
    const clientLines = output.split('\n').filter((text) => line(client, '').test(text));
    const calls = clientLines.filter((text) => / → {2}Call /.test(text));
    const firstReturn = clientLines.findIndex((text) => / ← {2}Return /.test(text));
    expect(clientLines.indexOf(calls[2]!)).toBeLessThan(firstReturn);
    expect(output).toMatch(line(client, String.raw`→  Call +\d+ B  q0 export 0 \.clone \(0 arguments\)$`));
    expect(output).toMatch(
      line(client, String.raw`→  Call +\d+ B  q1 answer of q0 \.clone \(0 arguments\)$`),
    );
    expect(output).toMatch(line(client, String.raw`→  Call +\d+ B  q2 answer of q1 \.add \(1 argument\)$`));
    expect(output).toMatch(line(server, String.raw`←  Call +\d+ B  q2 answer of q1 \.add \(1 argument\)$`));
    expect(output).toMatch(line(client, String.raw`←  Return +\d+ B  q2 value$`));
    expect(output).toMatch(line(client, String.raw`←  StreamItems +\d+ B  stream \d+: [1-5] item\(s\)$`));
    expect(output).toMatch(line(server, String.raw`→  StreamEnd +\d+ B  stream \d+ closed$`));
    expect(output).toMatch(
      line(
        client,
        String.raw`→  Abort +\d+ B  ends the session at the session step \(closed\): client done$`,
      ),
    );
    expect(output).toMatch(
      line(
        client,
        String.raw`→  End +session ended at the session step \(closed\) by this side: client done$`,
      ),
    );
    expect(output).toMatch(
      line(
        server,
        String.raw`←  End +session ended at the session step \(closed\) by the peer or the connection: client done$`,
      ),
    );
    expect(output).toMatch(/^2 sessions, \d+ events shown$/m);
    expect(output).toMatch(
      new RegExp(
        String.raw`^${client} client: \d+ messages out .*; 4 calls made, 0 answered; ended at the session step \(closed\)$`,
        'm',
      ),
    );
    expect(output).toMatch(
      new RegExp(
        String.raw`^${server} server: .*; 0 calls made, 4 answered; ended at the session step \(closed\)$`,
        'm',
      ),
    );
    // Every line is a header, an event, the summary or blank: nothing printed positionally.
    for (const text of output.trimEnd().split('\n')) {
      expect(text).toMatch(/^(\[\d\] .*|\d+ sessions, \d+ events shown|)$/);
    }
  });

  test('filters by session and type, and reads standard input', async () => {
    const run = await msctrace(['--session', 'client', '-t', 'Call,End', '-'], trace);
    expect(run.code).toBe(0);
    const events = run.stdout.split('\n').filter((text) => / ms {2}[→←] /.test(text));
    expect(events.length).toBe(5); // four calls and the end
    for (const text of events) expect(text).toMatch(/^\[1\] .* (Call|End) /);
    expect(run.stdout).toMatch(/^1 session, 5 events shown$/m);
    expect(run.stdout).not.toContain('server');
  });

  test('exports a Perfetto trace: each session a process, each call a slice whose begin and end match', async () => {
    const output = join(folder, 'timeline.json');
    const run = await msctrace(['--summary', '--perfetto', output, traceFile]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`wrote ${output}`);
    expect(run.stdout).not.toMatch(/ ms {2}[→←] /); // --summary: no event lines
    const document = JSON.parse(await readFile(output, 'utf8')) as {
      traceEvents: {
        ph: string;
        name: string;
        cat?: string;
        id?: string;
        pid: number;
        ts?: number;
        args?: Record<string, unknown>;
      }[];
    };
    const events = document.traceEvents;
    const processes = events.filter((event) => event.ph === 'M' && event.name === 'process_name');
    expect(processes.map((event) => event.args?.name).sort()).toEqual(['client', 'server']);
    const begins = events.filter((event) => event.ph === 'b');
    const ends = events.filter((event) => event.ph === 'e');
    expect(begins.length).toBe(8); // four calls, each seen by both sides
    expect(ends.length).toBe(begins.length);
    for (const begin of begins) {
      const matching = ends.filter(
        (end) => end.pid === begin.pid && end.id === begin.id && end.cat === begin.cat,
      );
      expect(matching).toHaveLength(1);
      expect(matching[0]!.name).toBe(begin.name);
      expect(matching[0]!.ts!).toBeGreaterThanOrEqual(begin.ts!);
      expect(matching[0]!.args).toMatchObject({ result: begin.name === 'clone' ? 'capability' : 'value' });
    }
    expect(begins.map((event) => event.name).sort()).toEqual([
      'add',
      'add',
      'clone',
      'clone',
      'clone',
      'clone',
      'count',
      'count',
    ]);
    expect(new Set(begins.map((event) => event.cat))).toEqual(new Set(['calls made', 'calls answered']));
    expect(events.filter((event) => event.ph === 'i' && event.name === 'End')).toHaveLength(2);
  });

  test('a malformed line is named with its line number and skipped; hostile text is escaped; exit 1', async () => {
    const good = trace.trimEnd().split('\n');
    const hostile = JSON.stringify({
      time: 1,
      direction: 'out',
      session: 'client',
      type: 'Call',
      size: 9,
      fields: { questionId: 99, target: 'export', targetId: 0, method: 'evil\u001b[2J\u202e', arguments: 0 },
    });
    const input = [
      good[0],
      'not json at all',
      '[1, 2, 3]',
      '{"time":-5,"direction":"out","session":"x","type":"Call","size":1,"fields":{}}',
      '{"time":1,"direction":"up","session":"x","type":"Call","size":1,"fields":{}}',
      '{"time":1,"direction":"in","session":"x","type":"Call","size":1,"fields":{"method":{"nested":true}}}',
      hostile,
      ...good.slice(1),
      '{"time":1,"direction":"in","sess', // a line cut short, as when the writer died
    ].join('\n');
    const run = await msctrace([], input);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('msc-trace: line 2: expected a JSON object, but the line is not JSON');
    expect(run.stderr).toContain('msc-trace: line 3: expected a JSON object, but got an array; skipped');
    expect(run.stderr).toContain(
      'msc-trace: line 4: expected "time" to be a number of milliseconds of 0 or more; skipped',
    );
    expect(run.stderr).toContain('msc-trace: line 5: expected "direction" to be "in" or "out"; skipped');
    expect(run.stderr).toContain(
      'msc-trace: line 6: expected field "method" to be a string, number or boolean; skipped',
    );
    expect(run.stderr).toContain(
      `msc-trace: line ${good.length + 7}: expected a JSON object, but the line is not JSON`,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(run.stdout).toContain('.evil\\u{1b}[2J\\u{202e}');
    expect(run.stdout).not.toContain('\u001b');
    // Every good line still printed: both sessions, ended.
    expect(run.stdout).toMatch(/^2 sessions, \d+ events shown$/m);
    expect(run.stdout.match(/ {2}End {2}/g)).toHaveLength(2);
  });

  test('text of a malformed line never reaches stderr raw: not JSON, or a hostile field name', async () => {
    const input = [
      '\u001b]2;owned\u0007\u001b[2J', // sets the window title and clears the screen, read raw
      JSON.stringify({
        time: 1,
        direction: 'in',
        session: 's',
        type: 'Call',
        fields: { '\u001b]2;owned\u0007\u001b[2J': {} },
      }),
    ].join('\n');
    const run = await msctrace([], input);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "msc-trace: line 1: expected a JSON object, but the line is not JSON (Unexpected token '\\u{1b}'",
    );
    expect(run.stderr).toContain(
      'msc-trace: line 2: expected field "\\u{1b}]2;owned\\u{7}\\u{1b}[2J" to be a string, number or boolean; skipped',
    );
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stderr).not.toContain('\u0007');
  });

  test.skipIf(!existsSync('/dev/full'))(
    'a Perfetto file whose writes fail (a full disk) is one line on stderr and exit 2, mid-trace or at its end',
    async () => {
      // Over 64 KiB of Perfetto output, so the first write fails while the trace is still read.
      const calls = Array.from({ length: 2_000 }, (_, index) =>
        JSON.stringify({
          time: index,
          direction: 'out',
          session: 'client',
          type: 'Call',
          size: 9,
          fields: { questionId: index, target: 'export', targetId: 0, method: 'add', arguments: 1 },
        }),
      ).join('\n');
      for (const input of [calls, trace]) {
        const run = await msctrace(['--summary', '--perfetto', '/dev/full', '-'], input);
        expect(run.stderr).toBe(
          'msc-trace: cannot write the Perfetto trace to /dev/full: no space left on device\n',
        );
        expect(run.code).toBe(2);
      }
    },
  );

  test('an overlong line is skipped without being held; later lines are read', async () => {
    const input = `${'x'.repeat(3 * 1024 * 1024)}\n${trace}`;
    const run = await msctrace(['-'], input);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `line 1: expected a trace event, but the line is ${3 * 1024 * 1024} bytes long (over 1 MiB); skipped`,
    );
    expect(run.stdout).toMatch(/^2 sessions, \d+ events shown$/m);
  });

  test('--help, a wrong flag and a missing file each answer in words, never a stack trace', async () => {
    const help = await msctrace(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: msc-trace [options] [file]');
    expect(help.stdout).toContain('--perfetto <file>');
    const wrong = await msctrace(['--sesion', 'client', traceFile]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.split('\n')[0]).toMatch(/^msc-trace: Unknown option '--sesion'/);
    const missing = await msctrace([join(folder, 'nothing.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `msc-trace: cannot read ${join(folder, 'nothing.jsonl')}: no such file or directory\n`,
    );
    for (const run of [wrong, missing]) expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
