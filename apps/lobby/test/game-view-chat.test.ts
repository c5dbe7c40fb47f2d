// A client's view of a game keeps only the newest chat lines (review 4, finding 13): a game open
// for hours at the allowed chat rate must not grow every watching page and terminal without bound.
import { proxy, sequence } from '@msc/eventual';
import { expect, test } from 'vitest';
import { chatHistory, GameView } from '../src/client/game-view.ts';
import type { IGameLauncher, LauncherEvent } from '../src/contracts.ts';
import { defaultSettings } from '../src/settings.ts';

test('a GameView keeps the newest chatHistory (50) lines, from the snapshot and after it', async () => {
  const [events, writer] = sequence<LauncherEvent>({ capacity: 1_000 });
  // Only events() is called: a launcher of one method.
  class Launcher {
    events() {
      return events;
    }
  }
  const launcher = proxy<IGameLauncher>(new Launcher() as unknown as IGameLauncher);
  const view = new GameView(launcher);
  const line = (lsn: number) => ({ lsn, from: 'mallory', text: `line ${lsn}`, seenLsn: 0 });
  writer.write({
    kind: 'snapshot',
    lsn: 40,
    gameId: 'g1',
    gameName: 'chatty',
    phase: 'open',
    settings: defaultSettings,
    slots: [],
    chat: Array.from({ length: 40 }, (_, index) => line(index + 1)),
  });
  for (let lsn = 41; lsn <= 500; lsn++) writer.write({ kind: 'chat', ...line(lsn) });
  await view.until((current) => current.lsn === 500);
  expect(chatHistory).toBe(50);
  expect(view.chat).toHaveLength(50);
  expect(view.chat[0]).toMatchObject({ lsn: 451, text: 'line 451' });
  expect(view.chat.at(-1)).toMatchObject({ lsn: 500, text: 'line 500' });
  view[Symbol.dispose]();
});
