// Why one file over 450 lines: the compliance suite is one `describe` block whose tests share the
// fixture and helpers above them; a transport author reads the whole contract in one place.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloseReason } from '../close-reason.ts';
import type { Connection } from '../connection.ts';
import { ConnectionClosedError } from '../connection-closed-error.ts';
import { DialError } from '../dial-error.ts';
import { FrameTooLargeError } from '../frame-too-large-error.ts';
import type { Listener } from '../listener.ts';
import type { DialOptions, ListenOptions, Transport } from '../transport.ts';
import { FrameRecorder } from './frame-recorder.ts';

/** What the factory of {@link describeTransportCompliance} provides for one test. */
export interface TransportComplianceFixture {
  /** The transport under test. */
  readonly transport: Transport;
  /** An address to listen on (the suite dials `listener.address`), e.g. `memory:` or `tcp:127.0.0.1:0`. */
  readonly address: string;
  /** Releases whatever the factory set up; called after the suite closed every connection and listener. */
  teardown(): Promise<void>;
}

/** Tunables of {@link describeTransportCompliance}; the defaults suit every transport of this repository. */
export interface TransportComplianceOptions {
  /** How long a test waits for an expected delivery before failing, in milliseconds. Default 10 000. */
  deliveryTimeoutMs?: number | undefined;
  /** How many frames the ordering test sends. Default 10 000. */
  manyFrames?: number | undefined;
  /** Size of the large-frame test's frame, in bytes. Default 1 MiB. */
  largeFrameBytes?: number | undefined;
}

const mebibyte = 1024 * 1024;

/** A frame whose first four bytes hold `index` (big-endian) and whose rest is a pattern derived from it. */
function numberedFrame(index: number, size = 8): Uint8Array {
  const frame = new Uint8Array(Math.max(size, 4));
  new DataView(frame.buffer).setUint32(0, index);
  for (let offset = 4; offset < frame.length; offset++) frame[offset] = (index + offset) & 0xff;
  return frame;
}

function frameNumber(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
}

/** Index of the first differing byte, or -1: cheaper and more readable than a deep equality diff of 1 MiB. */
function firstDifference(left: Uint8Array, right: Uint8Array): number {
  if (left.length !== right.length) return Math.min(left.length, right.length);
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return index;
  return -1;
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Waits for `condition` by polling (for values that change without a callback, like `bufferedBytes`). */
async function eventually(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await delay(5);
  }
}

/** Resolves with what `promise` settled to, or rejects if it did not settle within `timeoutMs`. */
function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`expected ${what} within ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Registers the transport compliance suite (vitest) for one transport. Every transport of the repository runs it
 * from its `test/compliance.test.ts`; a transport that passes can carry a session.
 *
 * Each test calls `factory()` for a fresh fixture, and afterwards aborts every connection it made, checks that
 * each one's `closed` promise settled (a leak check), closes its listeners and calls `teardown()`.
 *
 * @param name shown in the test report, e.g. `memory()`
 * @param factory creates the transport and an address to listen on, per test
 * @param options timeouts and sizes; see {@link TransportComplianceOptions}
 */
export function describeTransportCompliance(
  name: string,
  factory: () => Promise<TransportComplianceFixture>,
  options: TransportComplianceOptions = {},
): void {
  const timeoutMs = options.deliveryTimeoutMs ?? 10_000;
  const manyFrames = options.manyFrames ?? 10_000;
  const largeFrameBytes = options.largeFrameBytes ?? mebibyte;

  describe(`transport compliance: ${name}`, () => {
    let fixture: TransportComplianceFixture;
    let connections: Connection[];
    let listeners: Listener[];

    beforeEach(async () => {
      fixture = await factory();
      connections = [];
      listeners = [];
    });

    afterEach(async () => {
      for (const connection of connections) connection.abort(new Error('test over'));
      // Leak check: every connection the test saw must reach its final state.
      await within(
        Promise.all(connections.map((connection) => connection.closed)),
        timeoutMs,
        'every connection of the test to settle `closed` after abort()',
      );
      await Promise.all(listeners.map((listener) => listener.close()));
      await fixture.teardown();
    });

    /** Listens on the fixture's address; accepted connections queue up for `accept()`. */
    async function listen(listenOptions?: ListenOptions) {
      const accepted: Connection[] = [];
      const waiting: ((connection: Connection) => void)[] = [];
      let acceptedCount = 0;
      const listener = await fixture.transport.listen(
        fixture.address,
        (connection) => {
          connections.push(connection);
          acceptedCount++;
          const waiter = waiting.shift();
          if (waiter) waiter(connection);
          else accepted.push(connection);
        },
        listenOptions,
      );
      listeners.push(listener);
      return {
        listener,
        acceptedCount: () => acceptedCount,
        accept: (): Promise<Connection> => {
          const next = accepted.shift();
          if (next) return Promise.resolve(next);
          return within(
            new Promise<Connection>((resolve) => waiting.push(resolve)),
            timeoutMs,
            'the listener to accept a connection',
          );
        },
      };
    }

    async function dial(address: string, dialOptions?: DialOptions): Promise<Connection> {
      const connection = await fixture.transport.dial(address, dialOptions);
      connections.push(connection);
      return connection;
    }

    /** A dialed connection and the listener's side of it, neither started. */
    async function connectedPair() {
      const server = await listen();
      const dialed = await dial(server.listener.address);
      const accepted = await server.accept();
      return { server, dialed, accepted };
    }

    /** A connected pair with a recorder started on each side. */
    async function startedPair(senderStack?: { active: boolean }) {
      const { server, dialed, accepted } = await connectedPair();
      const dialedFrames = new FrameRecorder(senderStack);
      const acceptedFrames = new FrameRecorder(senderStack);
      dialed.start(dialedFrames);
      accepted.start(acceptedFrames);
      return { server, dialed, accepted, dialedFrames, acceptedFrames };
    }

    it('a dialed connection is accepted by the listener, and both sides name their addresses', async () => {
      const { server, dialed, accepted } = await connectedPair();
      expect(server.listener.address).toEqual(expect.any(String));
      for (const connection of [dialed, accepted]) {
        expect(connection.localAddress.length).toBeGreaterThan(0);
        expect(connection.remoteAddress.length).toBeGreaterThan(0);
        expect(connection.maxFrameBytes).toBeGreaterThan(0);
        expect(connection.bufferedBytes).toBe(0);
      }
    });

    it('frames arrive whole and in order, in both directions', async () => {
      const { dialed, accepted, dialedFrames, acceptedFrames } = await startedPair();
      const sizes = [1, 3, 100, 4096, 70_000, 5];
      sizes.forEach((size, index) => {
        dialed.send(numberedFrame(index, size));
        accepted.send(numberedFrame(100 + index, size));
      });
      await acceptedFrames.untilFrames(sizes.length, timeoutMs);
      await dialedFrames.untilFrames(sizes.length, timeoutMs);
      sizes.forEach((size, index) => {
        expect(firstDifference(acceptedFrames.frames[index]!, numberedFrame(index, size))).toBe(-1);
        expect(firstDifference(dialedFrames.frames[index]!, numberedFrame(100 + index, size))).toBe(-1);
      });
    });

    it('sendParts() delivers the one frame its pieces make up, in order with send(), small and large pieces alike', async (context) => {
      const { dialed, acceptedFrames } = await startedPair();
      if (dialed.sendParts === undefined) {
        expect(dialed.takesParts ?? false).toBe(false);
        context.skip();
        return;
      }
      const whole = numberedFrame(7, 200_000);
      // Pieces of every kind: empty, tiny, views into one buffer, one over the transports' copy limits.
      const cuts = [0, 0, 1, 4, 100, 40_000, 40_001, 170_000, 200_000];
      const pieces = cuts.slice(1).map((end, index) => whole.subarray(cuts[index]!, end));
      dialed.send(numberedFrame(1));
      dialed.sendParts(pieces);
      dialed.sendParts([numberedFrame(2)]);
      dialed.sendParts([]);
      dialed.send(numberedFrame(3));
      await acceptedFrames.untilFrames(5, timeoutMs);
      const frames = acceptedFrames.frames;
      expect(frameNumber(frames[0]!)).toBe(1);
      expect(frames[1]!.byteLength).toBe(whole.byteLength);
      expect(firstDifference(frames[1]!, numberedFrame(7, 200_000))).toBe(-1);
      expect(firstDifference(frames[2]!, numberedFrame(2))).toBe(-1);
      expect(frames[3]!.byteLength).toBe(0);
      expect(frameNumber(frames[4]!)).toBe(3);
      // The frame cap counts the pieces together; a refused frame leaves the connection open.
      dialed.setMaxFrameBytes(10);
      expect(() => dialed.sendParts!([new Uint8Array(6), new Uint8Array(5)])).toThrow(FrameTooLargeError);
      expect(() => dialed.sendParts!([new Uint8Array(3), 'text' as unknown as Uint8Array])).toThrow(
        TypeError,
      );
      expect(() => dialed.sendParts!('text' as unknown as Uint8Array[])).toThrow(TypeError);
      dialed.sendParts([Uint8Array.of(1, 2, 3, 4, 5, 6), Uint8Array.of(7, 8, 9, 10)]);
      // The refused frames left the connection open: the next one arrives.
      await acceptedFrames.untilFrames(6, timeoutMs);
      expect(Array.from(acceptedFrames.frames[5]!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      dialed.abort(new Error('done'));
      expect(() => dialed.sendParts!([new Uint8Array(1)])).toThrow(ConnectionClosedError);
    });

    it('an empty frame arrives as an empty frame', async () => {
      const { dialed, accepted, acceptedFrames, dialedFrames } = await startedPair();
      dialed.send(new Uint8Array(0));
      dialed.send(Uint8Array.of(7));
      accepted.send(new Uint8Array(0));
      await acceptedFrames.untilFrames(2, timeoutMs);
      await dialedFrames.untilFrames(1, timeoutMs);
      expect(acceptedFrames.frames.map((frame) => Array.from(frame))).toEqual([[], [7]]);
      expect(dialedFrames.frames[0]!.byteLength).toBe(0);
    });

    it(`a ${largeFrameBytes}-byte frame arrives intact`, async () => {
      const { dialed, acceptedFrames } = await startedPair();
      expect(dialed.maxFrameBytes).toBeGreaterThanOrEqual(largeFrameBytes);
      dialed.send(numberedFrame(42, largeFrameBytes));
      dialed.send(numberedFrame(43, 10));
      await acceptedFrames.untilFrames(2, timeoutMs);
      expect(acceptedFrames.frames[0]!.byteLength).toBe(largeFrameBytes);
      expect(firstDifference(acceptedFrames.frames[0]!, numberedFrame(42, largeFrameBytes))).toBe(-1);
      expect(frameNumber(acceptedFrames.frames[1]!)).toBe(43);
    });

    it(`${manyFrames} frames sent back to back arrive in order`, async () => {
      const { dialed, accepted, acceptedFrames, dialedFrames } = await startedPair();
      for (let index = 0; index < manyFrames; index++) {
        dialed.send(numberedFrame(index));
        accepted.send(numberedFrame(index));
      }
      await acceptedFrames.untilFrames(manyFrames, timeoutMs);
      await dialedFrames.untilFrames(manyFrames, timeoutMs);
      for (const recorder of [acceptedFrames, dialedFrames]) {
        const outOfOrder = recorder.frames.findIndex((frame, index) => frameNumber(frame) !== index);
        expect(outOfOrder).toBe(-1);
        expect(recorder.frames.length).toBe(manyFrames);
      }
    });

    it('a receiver can answer each frame from inside frame() (echo round trips)', async () => {
      const { dialed, accepted, dialedFrames } = await connectedPair().then(({ dialed, accepted }) => {
        const recorder = new FrameRecorder();
        dialed.start(recorder);
        accepted.start({ frame: (frame) => accepted.send(frame), closed: () => {} });
        return { dialed, accepted, dialedFrames: recorder };
      });
      for (let round = 0; round < 200; round++) {
        dialed.send(numberedFrame(round));
        await dialedFrames.untilFrames(round + 1, timeoutMs);
      }
      expect(dialedFrames.frames.map(frameNumber)).toEqual(Array.from({ length: 200 }, (_, index) => index));
      await dialed.close();
      await within(accepted.closed, timeoutMs, 'the echoing side to close');
    });

    it("delivery never runs inside the sender's stack (frames, close and abort)", async () => {
      const senderStack = { active: false };
      const first = await startedPair(senderStack);
      senderStack.active = true;
      first.dialed.send(numberedFrame(1));
      first.accepted.send(numberedFrame(2));
      senderStack.active = false;
      await first.acceptedFrames.untilFrames(1, timeoutMs);
      await first.dialedFrames.untilFrames(1, timeoutMs);
      senderStack.active = true;
      const closing = first.dialed.close();
      senderStack.active = false;
      await within(closing, timeoutMs, 'close() to resolve');
      await first.acceptedFrames.untilClosed(timeoutMs);
      await first.dialedFrames.untilClosed(timeoutMs);

      const second = await startedPair(senderStack);
      senderStack.active = true;
      second.accepted.send(numberedFrame(3));
      second.accepted.abort(new Error('abort inside the stack'));
      senderStack.active = false;
      await second.acceptedFrames.untilClosed(timeoutMs);
      await second.dialedFrames.untilClosed(timeoutMs);

      for (const recorder of [first.acceptedFrames, first.dialedFrames, second.acceptedFrames]) {
        expect(recorder.deliveriesInsideSenderStack).toBe(0);
      }
      expect(second.dialedFrames.deliveriesInsideSenderStack).toBe(0);
    });

    it('start() buffers frames that arrived before it, on both sides', async () => {
      const server = await listen();
      const dialed = await dial(server.listener.address);
      const accepted = await server.accept();
      for (let index = 0; index < 5; index++) {
        dialed.send(numberedFrame(index));
        accepted.send(numberedFrame(10 + index));
      }
      await delay(50); // let the frames cross the medium before anyone listens
      const acceptedFrames = new FrameRecorder();
      const dialedFrames = new FrameRecorder();
      accepted.start(acceptedFrames);
      dialed.start(dialedFrames);
      await acceptedFrames.untilFrames(5, timeoutMs);
      await dialedFrames.untilFrames(5, timeoutMs);
      expect(acceptedFrames.frames.map(frameNumber)).toEqual([0, 1, 2, 3, 4]);
      expect(dialedFrames.frames.map(frameNumber)).toEqual([10, 11, 12, 13, 14]);
    });

    it('start() after the peer closed delivers the buffered frames, then closed()', async () => {
      const { dialed, accepted } = await connectedPair();
      accepted.start(new FrameRecorder());
      accepted.send(numberedFrame(1));
      accepted.send(numberedFrame(2));
      const closing = accepted.close();
      await delay(50);
      const dialedFrames = new FrameRecorder();
      dialed.start(dialedFrames);
      const reason = await dialedFrames.untilClosed(timeoutMs);
      expect(dialedFrames.frames.map(frameNumber)).toEqual([1, 2]);
      expect(reason.remote).toBe(true);
      await within(closing, timeoutMs, "the closing side's close() to resolve");
    });

    it('start() may be called only once', async () => {
      const { dialed } = await startedPair();
      expect(() => dialed.start(new FrameRecorder())).toThrow();
    });

    it('close() delivers the frames already sent, then closed() on both sides', async () => {
      const { dialed, accepted, dialedFrames, acceptedFrames } = await startedPair();
      for (let index = 0; index < 100; index++) dialed.send(numberedFrame(index, 1000));
      await within(dialed.close(), timeoutMs, 'close() to resolve');
      const acceptedReason = await acceptedFrames.untilClosed(timeoutMs);
      const dialedReason = await dialedFrames.untilClosed(timeoutMs);
      expect(acceptedFrames.frames.map(frameNumber)).toEqual(
        Array.from({ length: 100 }, (_, index) => index),
      );
      expect(acceptedFrames.framesAfterClosed).toBe(0);
      expect(dialedReason).toMatchObject({ code: 'normal', remote: false });
      expect(acceptedReason).toMatchObject({ code: 'normal', remote: true });
      expect(await dialed.closed).toMatchObject({ code: 'normal', remote: false });
      expect(await within(accepted.closed, timeoutMs, 'the peer to close')).toMatchObject({ remote: true });
      expect(typeof dialedReason.message).toBe('string');
    });

    it('close() reports the code and message it was given on the closing side', async () => {
      const { dialed, acceptedFrames } = await startedPair();
      await within(dialed.close({ code: 'protocol', message: 'bad frame' }), timeoutMs, 'close() to resolve');
      expect(await dialed.closed).toMatchObject({ code: 'protocol', message: 'bad frame', remote: false });
      expect((await acceptedFrames.untilClosed(timeoutMs)).remote).toBe(true);
    });

    it('abort() closes both sides promptly, with the error on the aborting side', async () => {
      const { dialed, accepted, dialedFrames, acceptedFrames } = await startedPair();
      const failure = new Error('gave up');
      for (let index = 0; index < 10; index++) dialed.send(numberedFrame(index, 10_000));
      dialed.abort(failure);
      const dialedReason = await dialedFrames.untilClosed(timeoutMs);
      const acceptedReason = await acceptedFrames.untilClosed(timeoutMs);
      expect(dialedReason).toMatchObject({ code: 'aborted', remote: false });
      expect(dialedReason.error).toBe(failure);
      expect(acceptedReason.remote).toBe(true);
      expect(['aborted', 'error']).toContain(acceptedReason.code);
      expect(await within(accepted.closed, timeoutMs, 'the peer to close')).toBe(acceptedReason);
      expect(await dialed.closed).toBe(dialedReason);
    });

    it('send after close or abort throws ConnectionClosedError, on both sides', async () => {
      const first = await startedPair();
      const closing = first.dialed.close();
      expect(() => first.dialed.send(numberedFrame(1))).toThrow(ConnectionClosedError);
      await within(closing, timeoutMs, 'close() to resolve');
      expect(() => first.dialed.send(numberedFrame(2))).toThrow(ConnectionClosedError);
      await first.acceptedFrames.untilClosed(timeoutMs);
      expect(() => first.accepted.send(numberedFrame(3))).toThrow(ConnectionClosedError);

      const second = await startedPair();
      second.accepted.abort();
      try {
        second.accepted.send(numberedFrame(4));
        expect.unreachable('send after abort must throw');
      } catch (error) {
        expect(error).toBeInstanceOf(ConnectionClosedError);
        expect((error as ConnectionClosedError).name).toBe('ConnectionClosedError');
        expect((error as ConnectionClosedError).code).toBe('connection-closed');
      }
      await second.dialedFrames.untilClosed(timeoutMs);
      expect(() => second.dialed.send(numberedFrame(5))).toThrow(ConnectionClosedError);
    });

    it('`closed` settles exactly once, never rejects, and later close()/abort() calls change nothing', async () => {
      const { dialed, accepted, acceptedFrames } = await startedPair();
      const settlements: CloseReason[] = [];
      dialed.closed.then((reason) => settlements.push(reason));
      dialed.abort(new Error('first'));
      dialed.abort(new Error('second'));
      await expect(dialed.close({ code: 'protocol' })).resolves.toBeUndefined();
      const reason = await dialed.closed;
      expect(reason.code).toBe('aborted');
      expect((reason.error as Error).message).toBe('first');
      await acceptedFrames.untilClosed(timeoutMs);
      await expect(within(accepted.closed, timeoutMs, 'the peer to close')).resolves.toMatchObject({
        remote: true,
      });
      accepted.abort(new Error('after the end'));
      await expect(accepted.close()).resolves.toBeUndefined();
      expect((await accepted.closed).remote).toBe(true);
      await delay(10);
      expect(settlements).toEqual([reason]);
      await expect(dialed.whenDrained()).resolves.toBeUndefined();
    });

    it('closed() reaches each receiver exactly once, and no frame follows it', async () => {
      const { dialed, accepted, dialedFrames, acceptedFrames } = await startedPair();
      dialed.send(numberedFrame(1));
      accepted.send(numberedFrame(2));
      const closings = [dialed.close(), accepted.close(), dialed.close()];
      dialed.abort();
      accepted.abort();
      await within(Promise.all(closings), timeoutMs, 'every close() to resolve');
      await dialedFrames.untilClosed(timeoutMs);
      await acceptedFrames.untilClosed(timeoutMs);
      await delay(50);
      expect(dialedFrames.closedReasons.length).toBe(1);
      expect(acceptedFrames.closedReasons.length).toBe(1);
      expect(dialedFrames.framesAfterClosed + acceptedFrames.framesAfterClosed).toBe(0);
    });

    it('dialing an address nobody listens on rejects with DialError "refused"', async () => {
      const server = await listen();
      const address = server.listener.address;
      await server.listener.close();
      const error = await fixture.transport.dial(address, { timeoutMs: timeoutMs / 2 }).then(
        (connection) => {
          connections.push(connection);
          throw new Error('expected the dial to fail');
        },
        (error: unknown) => error,
      );
      expect(error).toBeInstanceOf(DialError);
      expect((error as DialError).name).toBe('DialError');
      expect((error as DialError).code).toBe('refused');
    });

    it('dialing with an aborted signal rejects with DialError "aborted" and connects nothing', async () => {
      const server = await listen();
      const controller = new AbortController();
      controller.abort(new Error('not today'));
      const error = await dial(server.listener.address, { signal: controller.signal }).catch(
        (error: unknown) => error,
      );
      expect(error).toBeInstanceOf(DialError);
      expect((error as DialError).code).toBe('aborted');
      await delay(50);
      expect(server.acceptedCount()).toBe(0);
    });

    it('closing the listener stops new connections while existing ones keep working', async () => {
      const { server, dialed, accepted, dialedFrames, acceptedFrames } = await startedPair();
      await within(server.listener.close(), timeoutMs, 'listener.close() to resolve');
      await within(server.listener.closed, timeoutMs, 'listener.closed to settle');
      await expect(dial(server.listener.address)).rejects.toMatchObject({
        name: 'DialError',
        code: 'refused',
      });
      dialed.send(numberedFrame(1));
      accepted.send(numberedFrame(2));
      await acceptedFrames.untilFrames(1, timeoutMs);
      await dialedFrames.untilFrames(1, timeoutMs);
      await within(dialed.close(), timeoutMs, 'close() to resolve');
    });

    it('aborting the listen signal closes the listener', async () => {
      const controller = new AbortController();
      const server = await listen({ signal: controller.signal });
      controller.abort();
      await within(server.listener.closed, timeoutMs, 'listener.closed to settle after the abort');
      await expect(dial(server.listener.address)).rejects.toMatchObject({
        name: 'DialError',
        code: 'refused',
      });
    });

    it('bufferedBytes counts what the peer has not taken yet, and whenDrained() resolves', async () => {
      const { dialed, accepted } = await connectedPair();
      expect(dialed.bufferedBytes).toBe(0);
      await within(dialed.whenDrained(), timeoutMs, 'whenDrained() on an idle connection');
      dialed.start(new FrameRecorder());
      for (let index = 0; index < 64; index++) dialed.send(numberedFrame(index, 16 * 1024));
      expect(dialed.bufferedBytes).toBeGreaterThanOrEqual(0);
      expect(dialed.bufferedBytes).toBeLessThanOrEqual(64 * 16 * 1024);
      const drained = dialed.whenDrained();
      const acceptedFrames = new FrameRecorder();
      accepted.start(acceptedFrames);
      await within(drained, timeoutMs, 'whenDrained() to resolve once the peer reads');
      await acceptedFrames.untilFrames(64, timeoutMs);
      await eventually(() => dialed.bufferedBytes === 0, 'bufferedBytes to return to 0', timeoutMs);
      await dialed.close();
      await within(dialed.whenDrained(), timeoutMs, 'whenDrained() on a closed connection');
    });

    it('a frame larger than maxFrameBytes throws FrameTooLargeError and the connection stays usable', async () => {
      const { dialed, acceptedFrames } = await startedPair();
      if (dialed.maxFrameBytes > 256 * mebibyte) return; // too large to allocate in a test
      const oversized = new Uint8Array(dialed.maxFrameBytes + 1);
      try {
        dialed.send(oversized);
        expect.unreachable('an oversized frame must be refused');
      } catch (error) {
        expect(error).toBeInstanceOf(FrameTooLargeError);
        expect((error as FrameTooLargeError).code).toBe('frame-too-large');
      }
      dialed.send(numberedFrame(7));
      await acceptedFrames.untilFrames(1, timeoutMs);
      await delay(20);
      expect(acceptedFrames.frames.map(frameNumber)).toEqual([7]);
      expect(acceptedFrames.closedReasons).toEqual([]);
    });

    it('a frame that is not a Uint8Array throws a TypeError naming what it got, and the connection stays usable', async () => {
      const { dialed, acceptedFrames } = await startedPair();
      for (const [wrong, named] of [
        [new DataView(new ArrayBuffer(4)), 'DataView'],
        ['four', 'String'],
        [undefined, 'Undefined'],
      ] as const) {
        expect(() => dialed.send(wrong as never)).toThrow(
          new TypeError(`expected a Uint8Array frame, got [object ${named}]`),
        );
      }
      expect(dialed.bufferedBytes).toBe(0);
      dialed.send(numberedFrame(7));
      await acceptedFrames.untilFrames(1, timeoutMs);
      await delay(20);
      expect(acceptedFrames.frames.map(frameNumber)).toEqual([7]);
      expect(acceptedFrames.closedReasons).toEqual([]);
    });

    it("setMaxFrameBytes() lowers one connection's cap for sending and for frames that arrive", async () => {
      const { dialed, accepted, acceptedFrames } = await startedPair();
      const ceiling = accepted.maxFrameBytes;
      expect(() => accepted.setMaxFrameBytes(ceiling + 1)).toThrow(RangeError);
      expect(() => accepted.setMaxFrameBytes(-1)).toThrow(RangeError);
      accepted.setMaxFrameBytes(64);
      expect(accepted.maxFrameBytes).toBe(64);
      expect(() => accepted.send(new Uint8Array(65))).toThrow(FrameTooLargeError);
      dialed.send(new Uint8Array(64));
      await acceptedFrames.untilFrames(1, timeoutMs);
      // The dialed side's cap is its own: it sends what the accepted side no longer takes.
      dialed.send(new Uint8Array(65));
      expect(await acceptedFrames.untilClosed(timeoutMs)).toMatchObject({ code: 'protocol', remote: true });
      expect(acceptedFrames.frames.map((frame) => frame.byteLength)).toEqual([64]);
    });

    it('concurrent connections are independent', async () => {
      const server = await listen();
      const pairs = [];
      for (let id = 0; id < 3; id++) {
        const dialed = await dial(server.listener.address);
        const accepted = await server.accept();
        const dialedFrames = new FrameRecorder();
        const acceptedFrames = new FrameRecorder();
        dialed.start(dialedFrames);
        accepted.start(acceptedFrames);
        pairs.push({ id, dialed, accepted, dialedFrames, acceptedFrames });
      }
      // Accepted connections may come out of accept() in any order: match them by their first frame.
      for (let round = 0; round < 20; round++) {
        for (const pair of pairs) pair.dialed.send(numberedFrame(pair.id * 1000 + round));
      }
      for (const pair of pairs) await pair.acceptedFrames.untilFrames(20, timeoutMs);
      for (const pair of pairs) {
        const owner = Math.floor(frameNumber(pair.acceptedFrames.frames[0]!) / 1000);
        expect(pair.acceptedFrames.frames.map(frameNumber)).toEqual(
          Array.from({ length: 20 }, (_, round) => owner * 1000 + round),
        );
        pair.accepted.send(numberedFrame(owner));
      }
      for (const pair of pairs) await pair.dialedFrames.untilFrames(1, timeoutMs);
      for (const pair of pairs) expect(frameNumber(pair.dialedFrames.frames[0]!)).toBe(pair.id);

      const [first, ...others] = pairs;
      first!.dialed.abort();
      await first!.dialedFrames.untilClosed(timeoutMs);
      for (const pair of others) {
        pair.dialed.send(numberedFrame(99));
        await pair.acceptedFrames.untilFrames(21, timeoutMs);
        expect(pair.acceptedFrames.closedReasons).toEqual([]);
        expect(pair.dialedFrames.closedReasons).toEqual([]);
      }
    });
  });
}
