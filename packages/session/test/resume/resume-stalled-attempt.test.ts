import { memoryPair } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import {
  maxQueuedBytes,
  ResumeInbox,
  ResumeRefusedError,
  resumeHello,
} from '../../src/resume/resume-exchange.ts';
import { ResumeFrame } from '../../src/resume/resume-frames.ts';
import { parseHello } from '../../src/wire/hello.ts';
import { echoPairs } from '../fixtures/echo-pairs.ts';
import { named } from '../fixtures/named-authenticator.ts';
import { type ResumablePair, until } from '../fixtures/resumable-pair.ts';

/**
 * A stranger who knows a session's resume id (it travels in the clear on an unencrypted transport)
 * opens resume attempts and stalls them: each holds at most 64 KiB unread, and the real dialer's
 * attempt replaces a stalled one that has not authenticated as the session's peer, so the session
 * resumes at once rather than after the stranger's handshakeTimeoutMs.
 */
const echoPair = echoPairs();

/** A stranger's connection that sends a resume hello naming `id`, then nothing; the frames it receives. */
function stall(pair: ResumablePair, id: Uint8Array): { frames: Uint8Array[]; closed: () => boolean } {
  const [connection, listenerEnd] = memoryPair();
  pair.accept(listenerEnd);
  const frames: Uint8Array[] = [];
  let closed = false;
  connection.start({
    frame: (frame) => frames.push(frame),
    closed: () => {
      closed = true;
    },
  });
  connection.send(resumeHello('test-name', false, id));
  return { frames, closed: () => closed };
}

function refusalOf(frames: Uint8Array[]): string | undefined {
  const refused = frames.find((frame) => frame[0] === ResumeFrame.Refused);
  return refused === undefined ? undefined : new TextDecoder().decode(refused.subarray(1));
}

describe('a stalled resume attempt does not block the real one', () => {
  test('strangers stalling attempts with the resume id: the dialer resumes well within handshakeTimeoutMs', async () => {
    const pair = echoPair({ authenticator: named('alice') });
    expect(await pair.remote.echo('a')).toBe('a');
    await until(() => pair.dialer.resumption?.resumable === true && pair.parked.size === 1);
    // The resume id follows the listener's half of the secret in its hello (docs/resumption.md#secret).
    const id = parseHello(pair.taps[0]!.received[0]!).resume!.slice(32, 48);
    pair.dialFailure = new Error('hold the dialer back');
    pair.cut();
    await until(() => pair.parked.parked === 1);
    // Two strangers in turn: the second replaces the first (neither authenticated).
    const first = stall(pair, id);
    await until(() => first.frames.length > 0); // the listener's hello: the attempt runs
    const second = stall(pair, id);
    await until(() => refusalOf(first.frames) !== undefined);
    expect(refusalOf(first.frames)).toBe('busy');
    await until(() => second.frames.length > 0);
    // The real dialer now: its attempt replaces the stalled one.
    const started = performance.now();
    pair.dialFailure = undefined;
    await until(
      () => pair.events.dialer.some((event) => event.type === 'resumed' || event.type === 'lost'),
      3000,
    );
    expect(pair.events.dialer.filter((event) => event.type === 'lost')).toEqual([]);
    expect(performance.now() - started).toBeLessThan(3000); // handshakeTimeoutMs is 10,000
    await until(() => refusalOf(second.frames) !== undefined);
    expect(refusalOf(second.frames)).toBe('busy');
    expect(await pair.remote.echo('b')).toBe('b');
    // A stranger arriving now finds a connected session: its attempt cannot take it over.
    const third = stall(pair, id);
    await until(() => third.frames.length > 0);
    expect(await pair.remote.echo('c')).toBe('c');
  });
});

describe('a resume attempt holds at most 64 KiB unread', () => {
  test('frames past 64 KiB in total (fewer than 16) fail the exchange with protocol', async () => {
    const inbox = new ResumeInbox();
    const frame = new Uint8Array(5 * 1024).fill(ResumeFrame.Authenticate);
    const count = Math.floor(maxQueuedBytes / frame.byteLength);
    for (let index = 0; index < count; index++) inbox.push(frame);
    expect(count).toBeLessThan(16);
    inbox.push(frame); // one past the bound
    const error = await inbox.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResumeRefusedError);
    expect((error as ResumeRefusedError).reason).toBe('protocol');
    expect((error as Error).message).toContain(`${maxQueuedBytes} unread bytes`);
  });

  test('frames read as they arrive do not count: 64 KiB more pass one at a time', async () => {
    const inbox = new ResumeInbox();
    const frame = new Uint8Array(40 * 1024);
    for (let index = 0; index < 4; index++) {
      inbox.push(frame);
      expect(await inbox.next()).toBe(frame);
    }
  });
});
