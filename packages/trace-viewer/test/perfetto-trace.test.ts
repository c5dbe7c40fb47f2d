import { describe, expect, test } from 'vitest';
import { maxQuestionIdLength, PerfettoTrace, type TraceRecord } from '../src/index.ts';

interface TraceEvent {
  readonly ph: string;
  readonly id?: string;
  readonly name: string;
  readonly args?: Record<string, unknown>;
}

function call(questionId: string, direction: 'in' | 'out', type: 'Call' | 'Return'): TraceRecord {
  return {
    time: 1,
    direction,
    session: 'client',
    type,
    size: 9,
    fields: type === 'Call' ? { questionId, method: 'm'.repeat(1_000) } : { questionId, result: 'value' },
  };
}

/** The events of a whole export, parsed. */
function exported(records: readonly TraceRecord[]): TraceEvent[] {
  const trace = new PerfettoTrace();
  const text = trace.begin() + records.map((record) => trace.event(record)).join('') + trace.end();
  return (JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents;
}

describe('PerfettoTrace', () => {
  test('keys a call by its question id cut to 32 characters and its method to 200; its Return still ends it', () => {
    const longId = 'q'.repeat(100_000);
    const events = exported([call(longId, 'out', 'Call'), call(longId, 'in', 'Return')]);
    const begin = events.find((event) => event.ph === 'b')!;
    const end = events.find((event) => event.ph === 'e')!;
    expect(begin.id).toBe(`calls made:${'q'.repeat(maxQuestionIdLength)}`);
    expect(begin.name).toBe('m'.repeat(200));
    expect(end).toMatchObject({ id: begin.id, name: begin.name, args: { result: 'value' } });
  });

  test('a call with no Return is closed as unfinished at the end', () => {
    const events = exported([call('7', 'in', 'Call')]);
    expect(events.filter((event) => event.ph === 'e')).toEqual([
      expect.objectContaining({ id: 'calls answered:7', args: { unfinished: true } }),
    ]);
  });
});
