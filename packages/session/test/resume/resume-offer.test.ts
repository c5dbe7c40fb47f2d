import type { Connection } from '@msc/transport';
import { memoryPair } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import { memoryTraceSink, ParkedSessions, Session, traceMessages, unauthenticated } from '../../src/index.ts';
import { encodeHello, parseHello } from '../../src/wire/hello.ts';
import { tap } from '../fixtures/resumable-pair.ts';

/**
 * The resume offer in the hellos (docs/resumption.md#secret): the dialer's `resume` is its 32-byte
 * half of the secret, the listener's its half and the 16-byte resume id. An offer of another size
 * ends the session with `protocol` at the version step, naming both sizes; a payload trace never
 * records an offer.
 */

/** A raw end that sends a hello offering `offer` and reads nothing back. */
function rawHello(connection: Connection, offer: Uint8Array): void {
  connection.start({ frame: () => {}, closed: () => {} });
  const hello = encodeHello({
    versions: [1, 2, 4, 3],
    nonce: crypto.getRandomValues(new Uint8Array(32)),
    scheme: 'none',
    addressBinding: false,
    resume: offer,
  });
  connection.send(hello.slice());
}

describe('the resume offer in a hello', () => {
  for (const size of [0, 16, 48]) {
    test(`a listener ends a session whose dialer offers ${size} bytes: protocol, at the version step`, async () => {
      const [dialerEnd, listenerEnd] = memoryPair();
      const listener = new Session({
        connection: listenerEnd,
        role: 'listener',
        authenticator: unauthenticated(),
        resume: { parkedSessions: new ParkedSessions() },
      });
      rawHello(dialerEnd, new Uint8Array(size));
      const closed = await listener.closed;
      // A 16-byte one names a session to resume: unknown here, it is refused and this session ends quietly.
      if (size === 16) expect(closed.code).toBe('closed');
      else {
        expect(closed).toMatchObject({ code: 'protocol', step: 'version' });
        expect(closed.message).toContain(`offers resumption with ${size} bytes; a dialer sends 32`);
      }
    });
  }

  for (const size of [0, 16, 32]) {
    test(`a dialer ends a session whose listener offers ${size} bytes: protocol, at the version step`, async () => {
      const [dialerEnd, listenerEnd] = memoryPair();
      const dialer = new Session({
        connection: dialerEnd,
        role: 'dialer',
        authenticator: unauthenticated(),
        resume: {
          dial: async () => {
            throw new Error('no second connection in this test');
          },
        },
      });
      rawHello(listenerEnd, new Uint8Array(size));
      const closed = await dialer.closed;
      expect(closed).toMatchObject({ code: 'protocol', step: 'version' });
      expect(closed.message).toContain(`offers resumption with ${size} bytes; a listener sends 48`);
    });
  }

  test('a payload trace records both hellos with their offers zeroed, the rest as sent', async () => {
    const [dialerEnd, listenerEnd] = memoryPair();
    const tapped = tap(dialerEnd);
    const sink = memoryTraceSink();
    const listener = new Session({
      connection: listenerEnd,
      role: 'listener',
      authenticator: unauthenticated(),
      resume: { parkedSessions: new ParkedSessions() },
    });
    const dialer = new Session({
      connection: tapped.connection,
      role: 'dialer',
      authenticator: unauthenticated(),
      trace: traceMessages({ level: 'payloads', sink }),
      resume: {
        dial: async () => {
          throw new Error('no second connection in this test');
        },
      },
    });
    await dialer.established;
    const [sent, received] = [tapped.frames.sent[0]!, tapped.frames.received[0]!];
    expect(parseHello(sent).resume!.byteLength).toBe(32);
    expect(parseHello(received).resume!.byteLength).toBe(48);
    for (const [direction, wire] of [
      ['out', sent],
      ['in', received],
    ] as const) {
      const event = sink.events.find((each) => each.type === 'Hello' && each.direction === direction)!;
      const payload = event.payload!;
      expect(payload.byteLength).toBe(wire.byteLength);
      const traced = parseHello(payload);
      expect(traced.resume!.every((byte) => byte === 0)).toBe(true);
      // Everything else is what went over the wire.
      expect({ ...traced, resume: undefined }).toEqual({ ...parseHello(wire), resume: undefined });
    }
    await dialer.terminate('done');
    await listener.closed;
  });
});
