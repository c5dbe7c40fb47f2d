/**
 * @msc/trace-viewer: reads the traces MSC sessions write (`traceMessages` with `jsonLinesTraceSink`
 * of `@msc/session`) and shows them by name. Most users run the command, `msc-trace`:
 *
 * ```sh
 * npx msc-trace sessions.jsonl                      # every session's messages, then a summary
 * npx msc-trace -s client -t Call,Return sessions.jsonl
 * npx msc-trace --perfetto timeline.json sessions.jsonl   # open at https://ui.perfetto.dev
 * ```
 *
 * The same parts, for a program that reads traces itself:
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * import { parseTraceRecord, readLines, SequencePrinter } from '@msc/trace-viewer';
 *
 * const printer = new SequencePrinter({ types: new Set(['Call', 'End']) });
 * for await (const line of readLines(createReadStream('sessions.jsonl'))) {
 *   if ('text' in line) process.stdout.write(printer.event(parseTraceRecord(line.text)));
 * }
 * ```
 *
 * @packageDocumentation
 */

export { describeEvent } from './describe-event.ts';
export { defaultMaxLineBytes, type InputLine, type OverlongLine, readLines } from './line-reader.ts';
export {
  maxOpenCalls,
  maxOpenCallsInAll,
  maxPerfettoSessions,
  maxQuestionIdLength,
  PerfettoTrace,
} from './perfetto-trace.ts';
export { printable } from './printable.ts';
export { maxTrackedSessions, type SequenceFilter, SequencePrinter } from './sequence-printer.ts';
export { parseTraceRecord, TraceLineError, type TraceRecord } from './trace-record.ts';
