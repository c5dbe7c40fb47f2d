import { printable } from './printable.ts';
import type { TraceRecord } from './trace-record.ts';

/**
 * A trace event in words: what each message type's fields mean, as `wire/protocol.ts` of
 * `@msc/session` defines them (`q3` a question id, `export 2` an export id, `stream 1`...).
 * Every string from the trace passes through {@link printable} first: a trace file is input, and
 * a terminal escape in a method name must not reach the terminal.
 */
export function describeEvent(record: TraceRecord): string {
  const fields = record.fields;
  const text = (name: string, max = 120) => printable(String(fields[name] ?? '?'), max);
  const question = () => `q${text('questionId')}`;
  switch (record.type) {
    case 'Hello':
      return `versions ${text('versions')}, scheme ${text('scheme')}`;
    case 'Authenticate':
      return 'authentication message';
    case 'Configure':
      return `root is ${capability(record)}`;
    case 'Abort':
      return `ends the session at the ${text('step')} step (${text('code')}): ${text('reason', 300)}`;
    case 'Call': {
      const target =
        fields.target === 'answer' ? `answer of q${text('targetId')}` : `export ${text('targetId')}`;
      const count = fields.arguments;
      const args = typeof count === 'number' ? ` (${count} argument${count === 1 ? '' : 's'})` : '';
      return `${question()} ${target} .${text('method')}${args}`;
    }
    case 'Return':
      return fields.result === 'capability'
        ? `${question()} capability: ${capability(record)}`
        : `${question()} ${text('result')}`;
    case 'Finish':
      return `${question()} finished`;
    case 'Release':
      return `export ${text('exportId')} released ×${text('count')}`;
    case 'DisembargoRequest':
      return `embargo ${text('embargoId')} on the answer of ${question()}`;
    case 'DisembargoReply':
      return `embargo ${text('embargoId')} lifted`;
    case 'StreamItems':
      return `stream ${text('streamId')}: ${text('items')} item(s)`;
    case 'StreamCredit':
      return `stream ${text('streamId')}: credit ${text('credit')} (window ${text('capacity')}, batch ${text('batchSize')})`;
    case 'StreamEnd':
      return `stream ${text('streamId')} ${fields.ending === 'abort' ? 'aborted' : 'closed'}${fields.failed === true ? ' with an error' : ''}`;
    case 'StreamCancel':
      return `stream ${text('streamId')} cancelled`;
    case 'End':
      return `session ended at the ${text('step')} step (${text('code')}) by ${fields.remote === true ? 'the peer or the connection' : 'this side'}: ${text('reason', 300)}`;
    default:
      // A type this viewer does not know (a newer protocol): its fields as they are.
      return Object.entries(fields)
        .slice(0, 16)
        .map(([name, value]) => `${printable(name, 40)}=${printable(String(value), 80)}`)
        .join(' ');
  }
}

function capability(record: TraceRecord): string {
  const kind = record.fields.capability;
  const id = printable(String(record.fields.capabilityId ?? '?'), 20);
  if (kind === 'sender-export') return `its export ${id}`;
  if (kind === 'receiver-export') return `the receiver's export ${id}`;
  if (kind === 'receiver-answer') return `the answer of q${id}`;
  return `capability ${printable(String(kind ?? '?'), 40)} ${id}`;
}
