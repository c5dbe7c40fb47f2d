/**
 * `msc-trace`: the command line of the trace viewer (run `msc-trace --help`). Node's own
 * `util.parseArgs` parses it (a handful of flags need no CLI library); every mistake, an unreadable
 * file and every malformed line read as one line on stderr, never as a stack trace.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { readLines } from './line-reader.ts';
import { PerfettoTrace } from './perfetto-trace.ts';
import { printable } from './printable.ts';
import { SequencePrinter } from './sequence-printer.ts';
import { parseTraceRecord } from './trace-record.ts';

const usage = `msc-trace: prints the messages of MSC sessions by name, from a trace written by
jsonLinesTraceSink (@msc/session), in the order they were traced; optionally exports a timeline.

Usage: msc-trace [options] [file]        (no file, or -, reads standard input)

Options:
  -s, --session <label>    only this session (repeat for more)
  -t, --type <types>       only these event types, comma-separated: Call,Return,End... (repeatable)
      --summary            print only the summary of each session
  -p, --perfetto <file>    also write a Chrome/Perfetto trace there (open it at https://ui.perfetto.dev):
                           each session a process, each call a slice from Call to Return
  -h, --help               print this help

Exit status: 0 when every line was read; 1 when some lines were not trace events (each is named on
stderr with its line number, and skipped); 2 for a bad command line or a file that cannot be read or
written.
`;

/** The most malformed lines named one by one; the rest are counted. */
const maxReportedLines = 20;

/** Output is written in pieces of about this many characters. */
const writeBatch = 64 * 1024;

class CommandError extends Error {}

async function main(args: readonly string[]): Promise<number> {
  let values: { session?: string[]; type?: string[]; summary?: boolean; perfetto?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: args[0] === '--' ? args.slice(1) : [...args],
      options: {
        session: { type: 'string', short: 's', multiple: true },
        type: { type: 'string', short: 't', multiple: true },
        summary: { type: 'boolean' },
        perfetto: { type: 'string', short: 'p' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  if (positionals.length > 1)
    return usageError(`expected at most one trace file, but got ${positionals.length}`);
  const path = positionals[0] ?? '-';
  if (path === '-' && process.stdin.isTTY) {
    return usageError(
      'expected a trace file, or a trace on standard input, but standard input is a terminal',
    );
  }

  const types =
    values.type === undefined
      ? undefined
      : new Set(values.type.flatMap((list) => list.split(',').map((type) => type.trim())).filter(Boolean));
  const sessions = values.session === undefined ? undefined : new Set(values.session);
  const printer = new SequencePrinter({
    ...(sessions === undefined ? {} : { sessions }),
    ...(types === undefined ? {} : { types }),
  });

  const out = new BufferedOutput(
    (text) => process.stdout.write(text),
    async () => {
      await once(process.stdout, 'drain');
    },
  );
  let perfetto: { trace: PerfettoTrace; output: BufferedOutput; file: OutputFile } | undefined;
  try {
    if (values.perfetto !== undefined) {
      const file = await OutputFile.open(values.perfetto);
      const trace = new PerfettoTrace();
      perfetto = {
        trace,
        file,
        output: new BufferedOutput(
          (text) => file.write(text),
          () => file.drained(),
        ),
      };
      await perfetto.output.write(trace.begin());
    }
    const input = path === '-' ? process.stdin : createReadStream(path);
    let malformed = 0;
    try {
      for await (const line of readLines(input)) {
        if ('overlong' in line) {
          malformed += 1;
          if (malformed <= maxReportedLines) {
            warn(
              `line ${line.number}: expected a trace event, but the line is ${line.overlong} bytes long (over 1 MiB); skipped`,
            );
          }
          continue;
        }
        let record: ReturnType<typeof parseTraceRecord>;
        try {
          record = parseTraceRecord(line.text);
        } catch (error) {
          malformed += 1;
          // The message quotes the line (already escaped by parseTraceRecord; escaped here again
          // since this is where trace text meets the terminal).
          if (malformed <= maxReportedLines)
            warn(`line ${line.number}: ${printable((error as Error).message, 400)}; skipped`);
          continue;
        }
        const text = printer.event(record);
        if (values.summary !== true && text !== '') await out.write(text);
        if (perfetto !== undefined && (sessions === undefined || sessions.has(record.session))) {
          const json = perfetto.trace.event(record);
          if (json !== '') await perfetto.output.write(json);
        }
      }
    } catch (error) {
      if (error instanceof CommandError) throw error; // the Perfetto file failed, not the input
      throw new CommandError(`cannot read ${path === '-' ? 'standard input' : path}: ${describe(error)}`);
    }
    await out.write(printer.summary());
    await out.flush();
    if (malformed > maxReportedLines) warn(`${malformed - maxReportedLines} more malformed lines skipped`);
    if (perfetto !== undefined) {
      await perfetto.output.write(perfetto.trace.end());
      await perfetto.output.flush();
      await perfetto.file.close();
      if (perfetto.trace.skippedSessions > 0) {
        warn(
          `the Perfetto trace holds the first 10000 sessions; ${perfetto.trace.skippedSessions} events of later ones left out`,
        );
      }
      warn(`wrote ${values.perfetto}: open it at https://ui.perfetto.dev`);
    }
    return malformed > 0 ? 1 : 0;
  } catch (error) {
    perfetto?.file.destroy();
    if (error instanceof CommandError) {
      warn(error.message);
      return 2;
    }
    throw error;
  }
}

/** Collects text and writes it in batches, waiting for the stream to drain when it asks to. */
class BufferedOutput {
  readonly #write: (text: string) => boolean;
  readonly #drained: () => Promise<void>;
  #pending = '';

  constructor(write: (text: string) => boolean, drained: () => Promise<void>) {
    this.#write = write;
    this.#drained = drained;
  }

  async write(text: string): Promise<void> {
    this.#pending += text;
    if (this.#pending.length >= writeBatch) await this.flush();
  }

  async flush(): Promise<void> {
    const text = this.#pending;
    this.#pending = '';
    if (text !== '' && !this.#write(text)) await this.#drained();
  }
}

/**
 * The Perfetto file. A write can fail long after the file opened (a full disk, a FIFO whose reader
 * left): the stream's 'error' is always listened to, and the failure is thrown as a
 * {@link CommandError} by the next write, wait or close, so it reads as one line, never as a crash.
 */
class OutputFile {
  readonly #path: string;
  readonly #stream: WriteStream;
  #failure: CommandError | undefined;

  private constructor(path: string, stream: WriteStream) {
    this.#path = path;
    this.#stream = stream;
    stream.on('error', (error) => {
      this.#failure ??= this.#failed(error);
    });
  }

  /** Opens (creates or truncates) `path` for writing. */
  static async open(path: string): Promise<OutputFile> {
    const file = new OutputFile(path, createWriteStream(path));
    await file.#settled('open');
    return file;
  }

  /** Writes `text`; `false` when the caller should wait for {@link drained}. */
  write(text: string): boolean {
    this.#check();
    return this.#stream.write(text);
  }

  /** Resolves once the stream wants more; rejects when it failed. */
  drained(): Promise<void> {
    return this.#settled('drain');
  }

  /** Ends the file and waits until every byte is written. */
  async close(): Promise<void> {
    this.#check();
    this.#stream.end();
    await this.#settled('finish');
  }

  destroy(): void {
    this.#stream.destroy();
  }

  /** Waits for `event`, or for the failure; a failed stream never emits `event`, so it is checked first. */
  async #settled(event: string): Promise<void> {
    this.#check();
    try {
      await once(this.#stream, event);
    } catch (error) {
      throw (this.#failure ??= this.#failed(error));
    }
  }

  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  #failed(error: unknown): CommandError {
    return new CommandError(`cannot write the Perfetto trace to ${this.#path}: ${describe(error)}`);
  }
}

function usageError(message: string): number {
  process.stderr.write(`msc-trace: ${message}\n\n${usage}`);
  return 2;
}

function warn(message: string): void {
  process.stderr.write(`msc-trace: ${message}\n`);
}

/** An error in words: node's file errors by their code (`no such file or directory`), others by message. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const known: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    ENOSPC: 'no space left on device',
    EPIPE: 'the reader closed it',
  };
  if (typeof code === 'string' && known[code] !== undefined) return known[code];
  return error instanceof Error ? error.message : String(error);
}

// A reader that stops early (`msc-trace big.jsonl | head`) closes the pipe: stop quietly.
process.stdout.on('error', (error: { code?: string }) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    warn(`unexpected failure: ${describe(error)}`);
    process.exitCode = 2;
  },
);
