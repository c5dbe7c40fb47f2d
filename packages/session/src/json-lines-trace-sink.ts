import type { TraceEvent, TraceSink } from './trace.ts';

/**
 * A trace sink that writes each event as one line of JSON (JSON Lines), the format the `msc-trace`
 * viewer (`@msc/trace-viewer`) reads:
 *
 * ```json
 * {"time":3.172,"direction":"out","session":"client","type":"Call","size":21,"fields":{"questionId":0,"target":"export","targetId":0,"method":"add","arguments":1}}
 * ```
 *
 * `time` is rounded to microseconds; at level `payloads` each line adds `payload`, the message's
 * bytes in base64. The sink does no I/O of its own, so it works wherever a session does; on Node,
 * hand it a file stream's `write`.
 *
 * @example
 * ```ts
 * import { createWriteStream } from 'node:fs';
 * import { jsonLinesTraceSink, traceMessages } from '@msc/session';
 *
 * const file = createWriteStream('sessions.jsonl', { flags: 'a' });
 * const trace = traceMessages({ level: 'messages', sink: jsonLinesTraceSink((line) => file.write(line)) });
 * // new Scope({ transport, authenticator, root, trace })
 * ```
 *
 * @param write called with each line, its `\n` included
 */
export function jsonLinesTraceSink(write: (line: string) => void): TraceSink {
  return (event: TraceEvent) => {
    const line = {
      time: Math.round(event.time * 1000) / 1000,
      direction: event.direction,
      session: event.session,
      type: event.type,
      size: event.size,
      fields: event.fields,
      ...(event.payload !== undefined ? { payload: base64(event.payload) } : {}),
    };
    write(`${JSON.stringify(line)}\n`);
  };
}

/** Base64 of `bytes` (btoa exists on Node and in browsers; chunks keep the argument list short). */
function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.byteLength; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}
