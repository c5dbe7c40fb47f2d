import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { AbortedError } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { isProcessRunning } from '../src/process-liveness.ts';
import { beat, sleep, start, until, useFixtures } from './harness.ts';

const fixtures = useFixtures();

/** Checks that the heartbeat in `file` does not move any more: nothing of its writer runs. */
async function expectStopped(file: string): Promise<void> {
  const last = beat(file);
  await sleep(150);
  expect(beat(file)).toBe(last);
}

/** Node's IPC framing (4-byte big-endian length) around `payload`. */
function framed(payload: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + payload.length);
  new DataView(bytes.buffer).setUint32(0, payload.length);
  bytes.set(payload, 4);
  return bytes;
}

describe('a hostile process SIP ends only itself', () => {
  test.each([
    ['12 bytes of garbage', framed([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07])],
    ['a v8 header with a bad value tag', framed([0xff, 0x0f, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe])],
    ['a declared length of 4 GiB', Uint8Array.from([0xff, 0xff, 0xff, 0xff, ...new Uint8Array(1_024)])],
  ])(
    '%s on its IPC channel end that SIP with cause "protocol"; the parent and a sibling carry on',
    async (_what, bytes) => {
      const { sip } = start(fixtures().testSip, { kind: 'process' });
      const { sip: sibling } = start(fixtures().testSip, { kind: 'process', name: 'sibling' });
      await Promise.all([sip.established, sibling.established]);
      const pending = sip.root.never();
      await sip.root.writeToChannel(bytes).catch(() => undefined); // its answer may be overtaken by its end
      const end = await sip.ended;
      expect(end.cause).toBe('protocol');
      expect(end.error).toMatchObject({ name: 'SipError', code: 'protocol' });
      expect(end.message).toContain('IPC protocol');
      const failure = await pending.catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(AbortedError);
      expect(isProcessRunning(sip.pid!)).toBe(false);
      expect(await sibling.root.echo('still here')).toBe('still here');
    },
  );

  test('a made-up launch-protocol message is dropped: a "fatal" without a report, a "descendant" that is not its own', async () => {
    const { sip } = start(fixtures().testSip, { kind: 'process' });
    await sip.established;
    await sip.root.sendToParent({ mscSip: 'fatal', error: null, origin: 42 });
    await sip.root.sendToParent({ mscSip: 'fatal', error: 'text' });
    // Pid 1 and this test process are not its descendants: ending the SIP must not signal them.
    await sip.root.sendToParent({ mscSip: 'descendant', pid: process.pid, alive: true });
    await sip.root.sendToParent({ mscSip: 'descendant', pid: 1, alive: true });
    await sip.root.sendToParent({ mscSip: 'descendant', pid: 'x', alive: true });
    // Node's own internal messages: an unexpected acknowledgement fails an assertion inside Node's listener.
    await sip.root.sendToParent({ cmd: 'NODE_HANDLE_ACK' });
    await sip.root.sendToParent({ cmd: 'NODE_HANDLE_NACK' });
    await sip.root.sendToParent({ cmd: 'NODE_HANDLE', type: 'net.Socket', msg: {} });
    expect(await sip.root.echo('fine')).toBe('fine');
    const end = await sip.terminate();
    expect(end.cause).toBe('terminated');
    expect(isProcessRunning(process.pid)).toBe(true); // still here to check
  });
});

test('a handle passed over its IPC channel is closed and ends that SIP with cause "protocol"', async () => {
  const { sip } = start(fixtures().testSip, { kind: 'process' });
  // The answer may be overtaken by the SIP's end: what counts is how it ends.
  await sip.root.sendHandleToParent().catch(() => undefined);
  const end = await sip.ended;
  expect(end.cause).toBe('protocol');
  expect(end.message).toContain('handle');
});

describe("a process SIP's own child processes end with it", () => {
  test('after terminate()', async () => {
    const file = join(fixtures().directory, 'grandchild-terminate');
    const { sip } = start(fixtures().testSip, { kind: 'process' });
    const pid = await sip.root.spawnGrandchild(file);
    await until(() => beat(file) > 2, 'the grandchild to beat');
    await sip.terminate();
    // `ended` settled: the grandchild is already gone.
    expect(isProcessRunning(pid)).toBe(false);
    await expectStopped(file);
  });

  test('after the SIP crashes', async () => {
    const file = join(fixtures().directory, 'grandchild-crash');
    const { sip } = start(fixtures().testSip, { kind: 'process' });
    const pid = await sip.root.spawnGrandchild(file);
    await until(() => beat(file) > 2, 'the grandchild to beat');
    await sip.root.throwLater('crash');
    const end = await sip.ended;
    expect(end.cause).toBe('uncaught-error');
    expect(isProcessRunning(pid)).toBe(false);
    await expectStopped(file);
  });

  test('after the SIP exits by itself', async () => {
    const file = join(fixtures().directory, 'grandchild-exit');
    const { sip } = start(fixtures().testSip, { kind: 'process' });
    const pid = await sip.root.spawnGrandchild(file);
    await until(() => beat(file) > 2, 'the grandchild to beat');
    await sip.root.exitLater(0);
    expect((await sip.ended).cause).toBe('exit');
    expect(isProcessRunning(pid)).toBe(false);
    await expectStopped(file);
  });
});

test('when the parent process dies without a word, the SIP ends its own process group', async () => {
  const file = join(fixtures().directory, 'grandchild-orphaned');
  const parent = spawn(process.execPath, [fixtures().orphaningParent, fixtures().testSip, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pids = await new Promise<{ sip: number; grandchild: number }>((resolve, reject) => {
    let output = '';
    parent.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('\n')) resolve(JSON.parse(output.slice(0, output.indexOf('\n'))));
    });
    parent.once('exit', (code) =>
      reject(new Error(`the parent exited (${code}) before it printed the pids`)),
    );
  });
  await until(() => beat(file) > 2, 'the grandchild to beat');
  parent.kill('SIGKILL');
  await until(
    () => !isProcessRunning(pids.sip) && !isProcessRunning(pids.grandchild),
    'the SIP and its grandchild to be gone',
  );
  await expectStopped(file);
});
