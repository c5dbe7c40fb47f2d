import { AuthenticationError } from '@msc/session';
import { describe, expect, it } from 'vitest';
import {
  decodeHandshakeMessage,
  encodeHandshakeMessage,
  type HandshakeMessage,
} from '../src/handshake-messages.ts';

const key = new Uint8Array(32).fill(7);
const signature = new Uint8Array(64).fill(9);
const examples: HandshakeMessage[] = [
  { kind: 'introduction', publicKey: key, name: 'alice' },
  { kind: 'introduction', publicKey: key, name: undefined },
  { kind: 'listener-proof', publicKey: key, name: 'bob', signature },
  { kind: 'dialer-proof', signature },
  { kind: 'verdict', admitted: true, reason: '' },
  { kind: 'verdict', admitted: false, reason: 'not today' },
];

describe('handshake messages', () => {
  it.each(examples)('a $kind message decodes to what was encoded', (message) => {
    expect(decodeHandshakeMessage(encodeHandshakeMessage(message), message.kind)).toEqual(message);
  });

  it('have the documented layout', () => {
    const bytes = encodeHandshakeMessage({ kind: 'verdict', admitted: false, reason: 'no' });
    expect([...bytes]).toEqual([1, 4, 1, 0, 2, 0x6e, 0x6f]);
    expect(encodeHandshakeMessage({ kind: 'dialer-proof', signature })).toHaveLength(66);
    expect(encodeHandshakeMessage({ kind: 'introduction', publicKey: key, name: undefined })).toHaveLength(
      35,
    );
  });

  it.each(examples)('a $kind message cut at any length is a protocol error', (message) => {
    const bytes = encodeHandshakeMessage(message);
    for (let length = 0; length < bytes.length; length++) {
      expect(() => decodeHandshakeMessage(bytes.slice(0, length), message.kind)).toThrow(AuthenticationError);
    }
    expect(() => decodeHandshakeMessage(Uint8Array.from([...bytes, 0]), message.kind)).toThrow(
      /to end after/,
    );
  });

  it('a message of another kind is refused with both kinds named', () => {
    const bytes = encodeHandshakeMessage({ kind: 'dialer-proof', signature });
    expect(() => decodeHandshakeMessage(bytes, 'verdict')).toThrow(
      'malformed identity handshake verdict message: expected a verdict message, got a dialer-proof message',
    );
    try {
      decodeHandshakeMessage(Uint8Array.of(1, 99), 'verdict');
    } catch (error) {
      expect(error).toMatchObject({ name: 'AuthenticationError', code: 'protocol' });
      expect((error as Error).message).toMatch(/unknown kind 99/);
    }
  });

  it('another format version is refused', () => {
    expect(() => decodeHandshakeMessage(Uint8Array.of(2, 3, ...signature), 'dialer-proof')).toThrow(
      /expected format version 1, got 2/,
    );
  });

  it('a name that is not UTF-8 or breaks the name rules is refused', () => {
    const invalidUtf8 = Uint8Array.of(1, 1, ...key, 2, 0xc3, 0x28);
    expect(() => decodeHandshakeMessage(invalidUtf8, 'introduction')).toThrow(/invalid UTF-8/);
    const lineBreak = Uint8Array.of(1, 1, ...key, 3, 0x61, 0x0a, 0x62);
    expect(() => decodeHandshakeMessage(lineBreak, 'introduction')).toThrow(/control characters/);
    const tooLong = Uint8Array.of(1, 1, ...key, 65, ...new Uint8Array(65).fill(0x61));
    expect(() => decodeHandshakeMessage(tooLong, 'introduction')).toThrow(/at most 64 bytes, got 65/);
  });

  it('an admitted verdict with a reason, or a reason over the limit, is refused', () => {
    expect(() => decodeHandshakeMessage(Uint8Array.of(1, 4, 0, 0, 1, 0x61), 'verdict')).toThrow(/no reason/);
    expect(() => decodeHandshakeMessage(Uint8Array.of(1, 4, 1, 0x04, 0x01), 'verdict')).toThrow(
      /at most 1024 bytes, got 1025/,
    );
  });
});
