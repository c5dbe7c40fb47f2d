import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isProcessRunning } from '../src/process-liveness.ts';
import { beat, sleep, start, until, useFixtures } from './harness.ts';

const fixtures = useFixtures();

/** Checks that the heartbeat in `file` does not move any more. */
async function expectStopped(file: string): Promise<void> {
  const last = beat(file);
  await sleep(150);
  expect(beat(file)).toBe(last);
}

const shapes = [
  ['worker', 'worker'],
  ['process', 'process'],
  ['worker', 'process'],
  ['process', 'worker'],
] as const;

describe.each(shapes)('a %s SIP that starts a %s SIP', (middleKind, childKind) => {
  test('terminating the middle one ends the grandchild too, before terminate() resolves', async () => {
    const file = join(fixtures().directory, `nested-${middleKind}-${childKind}.beat`);
    const { sip: middle } = start(fixtures().testSip, {
      kind: middleKind,
      name: 'middle',
      init: { label: 'middle', selfUrl: fixtures().testSip },
    });
    const grandchild = await middle.root.spawnChild(childKind, file);
    await until(() => beat(file) >= 3, 'the grandchild to beat');
    await middle.terminate();
    if (childKind === 'process') expect(isProcessRunning(grandchild.pid!)).toBe(false);
    await expectStopped(file);
  });
});

describe('a process SIP tree', () => {
  test('a middle SIP that crashes takes its grandchild down with it', async () => {
    const file = join(fixtures().directory, 'crashed-middle.beat');
    const { sip: middle } = start(fixtures().testSip, {
      kind: 'process',
      init: { label: 'middle', selfUrl: fixtures().testSip },
    });
    const grandchild = await middle.root.spawnChild('process', file);
    await until(() => beat(file) >= 3, 'the grandchild to beat');
    await middle.root.throwLater('middle failed');
    const end = await middle.ended;
    expect(end.cause).toBe('uncaught-error');
    expect(isProcessRunning(grandchild.pid!)).toBe(false);
    await expectStopped(file);
  });
});
