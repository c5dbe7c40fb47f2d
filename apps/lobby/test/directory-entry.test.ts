import { Identity } from '@msc/identity';
import { describe, expect, test } from 'vitest';
import { nodeRecordTail, parseNodeRecord } from '../src/cluster/directory-entry.ts';
import { parseReservation, reservationText } from '../src/cluster/request-reservations.ts';

/*
 * What the directory's Redis holds is hostile until it parses: a node record's WebSocket address
 * ends up in other nodes' page CSPs, so only a plain ws(s)://host:port/path passes; a reservation
 * must name a well-formed game of the node it names.
 */

describe('a node record read from the directory', () => {
  test('a WebSocket address passes only as ws(s)://host:port/path: nothing that could extend a CSP', async () => {
    const identity = await Identity.generate({ name: 'lobby-a' });
    const record = (webSocket?: unknown) =>
      `{"epoch":3,${nodeRecordTail({
        name: 'a',
        address: 'tcp:127.0.0.1:7000',
        fingerprint: identity.fingerprint,
        publicKey: identity.publicIdentity.publicKeyText,
        ...(webSocket !== undefined ? { webSocket: webSocket as string } : {}),
      })}`;
    expect(parseNodeRecord('a', record())?.webSocket).toBeUndefined();
    expect(parseNodeRecord('a', record('ws://127.0.0.1:8080/msc'))?.webSocket).toBe(
      'ws://127.0.0.1:8080/msc',
    );
    expect(parseNodeRecord('a', record('wss://lobby.example:443/msc'))?.webSocket).toBe(
      'wss://lobby.example:443/msc',
    );
    for (const bad of [
      "ws://127.0.0.1:8080/msc; script-src 'unsafe-inline'",
      'ws://127.0.0.1:8080/msc *',
      'ws://*:8080/msc',
      'http://127.0.0.1:8080/msc',
      'ws://127.0.0.1/msc',
      "ws://127.0.0.1:8080/'self'",
      42,
      'ws://127.0.0.1:8080/msc,ws://evil',
    ])
      expect(parseNodeRecord('a', record(bad)), String(bad)).toBeUndefined();
  });
});

describe('a reservation read from the directory', () => {
  test('names a game of the node it names, in at most 128 bytes; anything else is garbage', () => {
    expect(parseReservation(reservationText('g7.a', 'a'))).toEqual({ game: 'g7.a', node: 'a' });
    for (const bad of [
      null,
      42,
      '',
      'not json',
      '[]',
      '{"game":"g7.a"}',
      '{"game":"g7.a","node":"b"}',
      '{"game":"7.a","node":"a"}',
      '{"game":{"toString":1},"node":"a"}',
      JSON.stringify({ game: 'g7.a', node: 'a', pad: 'x'.repeat(200) }),
    ])
      expect(parseReservation(bad), String(bad)).toBeUndefined();
  });
});
