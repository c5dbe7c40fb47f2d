import { AbortedError } from '@msc/eventual';
import { expect, test } from 'vitest';
import { start, useFixtures } from './harness.ts';

const fixtures = useFixtures();

test('8 worker SIPs and 4 process SIPs run side by side; ending two leaves the others untouched', async () => {
  const sips = [
    ...Array.from({ length: 8 }, (_, index) =>
      start(fixtures().testSip, { kind: 'worker', name: `worker-${index}` }),
    ),
    ...Array.from({ length: 4 }, (_, index) =>
      start(fixtures().testSip, { kind: 'process', name: `process-${index}` }),
    ),
  ].map(({ sip }) => sip);
  const answers = await Promise.all(sips.map((sip, index) => sip.root.echo(index)));
  expect(answers).toEqual(sips.map((_, index) => index));
  const names = await Promise.all(sips.map((sip) => sip.root.describe().then((described) => described.name)));
  expect(names).toEqual(sips.map((sip) => sip.name));

  const crashing = sips[2]!;
  const terminated = sips[9]!;
  const pending = [crashing.root.never(), terminated.root.never()];
  await crashing.root.throwLater('one worker fails');
  const [crashEnd, terminateEnd] = await Promise.all([crashing.ended, terminated.terminate()]);
  expect(crashEnd.cause).toBe('uncaught-error');
  expect(terminateEnd.cause).toBe('terminated');
  for (const outcome of await Promise.allSettled(pending)) {
    expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(AbortedError);
  }

  const survivors = sips.filter((sip) => sip !== crashing && sip !== terminated);
  const again = await Promise.all(survivors.map((sip) => sip.root.echo(sip.name)));
  expect(again).toEqual(survivors.map((sip) => sip.name));
  const ends = await Promise.all(survivors.map((sip) => sip.terminate()));
  expect(ends.every((end) => end.cause === 'terminated')).toBe(true);
});
