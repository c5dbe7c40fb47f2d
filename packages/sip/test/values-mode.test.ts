import { enableMessagePortValues, memoryTraceSink, traceMessages } from '@msc/session';
import { describe, expect, test } from 'vitest';
import { start, useFixtures } from './harness.ts';

// Values mode through a SIP's channel: a worker SIP's MessagePort carries values, so once the
// session is established its messages travel as structured clones (traced with an estimated size
// and no payload); a process SIP's IPC channel carries bytes only, so its session stays on CBOR.

// Values mode is opt-in: this parent enables it here, the test SIP when it loads (fixtures/test.sip.ts).
enableMessagePortValues();
const fixtures = useFixtures();

describe('values mode through a SIP channel', () => {
  test.each([
    ['worker', true],
    ['process', false],
  ] as const)('a %s SIP: values mode %s', async (kind, values) => {
    const sink = memoryTraceSink();
    const { sip } = start(fixtures().testSip, { kind, trace: traceMessages({ sink, level: 'payloads' }) });
    await sip.established;
    expect(await sip.root.echo('warm')).toBe('warm');
    sink.events.length = 0;
    const data = { list: [1, 2, 3], map: new Map([['k', new Date(0)]]), bytes: new Uint8Array([9, 8]) };
    expect(await sip.root.echo(data)).toEqual(data);
    const call = sink.events.find((event) => event.type === 'Call' && event.direction === 'out');
    const reply = sink.events.find((event) => event.type === 'Return' && event.direction === 'in');
    expect(call!.size).toBeGreaterThan(0);
    expect(reply!.size).toBeGreaterThan(0);
    expect(call!.payload === undefined).toBe(values);
    expect(reply!.payload === undefined).toBe(values);
  });
});
