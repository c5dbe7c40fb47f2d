import { expect, test } from 'vitest';
import { start, tsxLoader, useFixtures } from './harness.ts';

useFixtures();

test('a process SIP can run a TypeScript module through a loader given in execArgv', async () => {
  const { sip } = start(new URL('./fixtures/test.sip.ts', import.meta.url).href, {
    kind: 'process',
    execArgv: ['--import', tsxLoader(), '--conditions=@msc/source'],
  });
  expect(await sip.root.echo('from TypeScript')).toBe('from TypeScript');
  expect((await sip.root.describe()).argv).toEqual(['--msc-sip']);
});
