// A stranger cycling a spectator slot (review 4, finding 3): each join and leave is an event to
// every watcher and a new LSN, so an unlimited flood of them drowned the watchers and kept the
// host's tryLaunch failing with stale-lsn. Joins and leaves now take tokens from the launcher's and
// the key's buckets. End to end over TCP, in-process server.
import { proxy } from '@msc/eventual';
import { expect, test } from 'vitest';
import { launchWhenSeen } from '../src/client/bot.ts';
import { ClientLauncher } from '../src/client/game-view.ts';
import type { IClientLauncher } from '../src/contracts.ts';
import { delay } from '../src/delay.ts';
import { seatedGame, startLobby, transportCases } from './harness.ts';

test('a stranger cycling a spectator slot is refused with limit past the bucket, and the host can launch', async () => {
  const lobby = await startLobby(transportCases[0]!);
  const { views, seats } = await seatedGame(lobby, ['ada', 'bob']);
  const mallory = await lobby.connect('mallory');
  const launcher = mallory.lobby.openGame(views[0].gameId);
  const client = proxy<IClientLauncher>(new ClientLauncher(() => {}));
  let accepted = 0;
  const refusals = new Set<string>();
  const started = performance.now();
  let flooding = true;
  const flood = (async () => {
    while (flooding) {
      // One pair at a time: pairs sent together would mostly lose the slot to each other.
      const [outcome] = await Promise.allSettled([launcher.tryJoin(2, 'm', client).leave()]);
      if (outcome!.status === 'fulfilled') accepted++;
      else
        refusals.add(
          `${String(outcome!.reason.code)} ${String(outcome!.reason.message).replace(/\d+ ms/, 'N ms')}`,
        );
    }
  })();
  try {
    await delay(1_000);
    await launchWhenSeen(views[0], 3);
  } finally {
    flooding = false;
    await flood;
  }
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([seats[0].launched, seats[1].launched]);
  // A launcher's burst of 8 tokens is 4 joins (each pays for its leave), then one a second.
  expect(accepted).toBeGreaterThanOrEqual(4);
  expect(accepted).toBeLessThanOrEqual(4 + Math.ceil(seconds) + 1);
  expect([...refusals]).toContain(
    'limit too many joins and leaves (a join counts 2: itself and its leave): a launcher may send 2 a second (seatChangesPerSecond) in bursts of 8 (seatChangesBurst); wait N ms',
  );
  client[Symbol.dispose]();
});
