// The browser client in a real browser (Debian's Chromium driven by playwright-core), against a real
// lobby server on 127.0.0.1 port 0 that serves the page, its style and its rollup bundle. Every
// player is a browser context of its own (its own IndexedDB, so its own identity): two pages play a
// full game against each other while a third watches, at a desktop and a phone viewport; screenshots
// are taken at each phase (apps/lobby/.screenshots/, git-ignored) and the phase's key elements are
// checked from their boxes (visible, non-zero, inside the viewport, no two overlapping).
import { fileURLToPath } from 'node:url';
import { Identity } from '@msc/identity';
import { ws } from '@msc/transport-ws';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { joinSlot } from '../src/client/bot.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import type { PlayerView } from '../src/client/player-view.ts';
import { LobbyServer } from '../src/lobby-server.ts';
import { sipGameHost } from '../src/sip-game-host.ts';
import { serveWeb, type WebEndpoint } from '../src/web/web-server.ts';
import {
  type BrowserPlayer,
  type ContextOptions,
  enter,
  enterName,
  launchChromium,
  openPlayer,
  play,
  testId,
} from './fixtures/browser-players.ts';
import { checkLayout, type KeyElement } from './page-layout.ts';

const screenshots = fileURLToPath(new URL('../.screenshots/', import.meta.url));

const viewports = [
  { label: 'desktop', options: { viewport: { width: 1280, height: 800 } } },
  { label: 'phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
] as const;

type ViewportOptions = ContextOptions;

describe('the browser lobby in Chromium', () => {
  let server: LobbyServer;
  let web: WebEndpoint;
  let browser: Browser;
  const players: BrowserPlayer[] = [];

  beforeAll(async () => {
    server = new LobbyServer({
      identity: await Identity.generate({ name: 'lobby' }),
      gameHost: sipGameHost(),
    });
    web = await serveWeb(server);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const player of players) await player.context.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  /** Opens the page in a new context (a new browser profile's storage). */
  async function openPage(options: ViewportOptions): Promise<BrowserPlayer> {
    const player = await openPlayer(browser, web.url, options);
    players.push(player);
    return player;
  }

  async function expectLayout(page: Page, label: string, elements: readonly KeyElement[]): Promise<void> {
    const report = await checkLayout(page, screenshots, label, elements);
    expect(report.problems).toEqual([]);
    expect(report.boxes).toHaveLength(elements.length);
  }

  const cells = (size: number): KeyElement[] =>
    Array.from({ length: size * size }, (_, cell) => ({
      name: `cell ${cell}`,
      selector: testId(`cell-${cell}`),
    }));

  describe.each(viewports)('at a $label viewport', ({ label, options }) => {
    test('two pages play a full game against each other while a third watches; every phase is laid out cleanly', async () => {
      const ada = await openPage(options);
      await ada.page.waitForSelector(`${testId('welcome')}:not([hidden])`);
      await expectLayout(ada.page, `${label}-1-welcome`, [
        { name: 'title', selector: 'h1' },
        { name: 'name input', selector: testId('name-input') },
        { name: 'enter button', selector: testId('name-submit') },
      ]);
      await enter(ada, 'ada');
      const bob = await openPage(options);
      await enter(bob, 'bob');
      const carol = await openPage(options);
      await enter(carol, 'carol');
      await expectLayout(bob.page, `${label}-2-lobby`, [
        { name: 'title', selector: 'h1' },
        { name: 'player name', selector: testId('me-name') },
        { name: 'game name input', selector: testId('game-name') },
        { name: 'create button', selector: testId('create') },
        { name: 'games list', selector: testId('games') },
      ]);

      // ada creates a game; the pages already open list it without a reload.
      const gameName = `${label} night`;
      await ada.page.locator(testId('game-name')).fill(gameName);
      await ada.page.locator(testId('create')).click();
      await ada.page.waitForSelector(`${testId('game-title')}:text-is("${gameName}")`);
      expect(await ada.page.isHidden(testId('games-panel'))).toBe(true);
      await ada.page.locator(testId('join-0')).click();
      await ada.page.waitForSelector(`${testId('seat-0')}:has-text("ada (you)")`);
      // The row appears, then follows ada's join (it may first show X free): no reload either time.
      const listed = bob.page.locator('.game-row', { hasText: gameName });
      await listed.filter({ hasText: 'free: O, spectator, spectator' }).waitFor({ timeout: 10_000 });
      expect(await listed.textContent()).toContain('by ada');
      await listed.getByRole('button', { name: `Open ${gameName}` }).click();
      await bob.page.locator(testId('join-1')).click();
      await bob.page.waitForSelector(`${testId('seat-1')}:has-text("bob (you)")`);
      await carol.page.locator('.game-row', { hasText: gameName }).getByRole('button').click();
      await carol.page.locator(testId('join-2')).click();
      await carol.page.waitForSelector(`${testId('seat-2')}:has-text("carol (you)")`);

      // Only the host is offered Launch; seated players chat.
      await ada.page.waitForSelector(`${testId('launch')}:not([disabled])`);
      expect(await bob.page.isHidden(testId('launch'))).toBe(true);
      expect(await carol.page.isHidden(testId('launch'))).toBe(true);
      // A settings change reaches the other seats; the selects follow the settings in force.
      await ada.page.locator(testId('rounds')).selectOption('2');
      await bob.page.waitForSelector(`${testId('settings')}:has-text("2 rounds on 3×3")`);
      expect(await bob.page.inputValue(testId('rounds'))).toBe('2');
      await ada.page.locator(testId('rounds')).selectOption('1');
      await bob.page.waitForSelector(`${testId('settings')}:has-text("1 round on 3×3")`);
      await ada.page.locator(testId('chat-text')).fill('good luck, <b>bob</b>');
      await ada.page.locator(testId('chat-send')).click();
      await bob.page.waitForSelector(`${testId('log')} li:has-text("ada: good luck, <b>bob</b>")`);
      expect(await bob.page.locator(`${testId('log')} b`).count()).toBe(0); // shown as text, never markup
      await expectLayout(ada.page, `${label}-3-game-open`, [
        { name: 'game title', selector: testId('game-title') },
        { name: 'phase', selector: testId('phase') },
        { name: 'seat X', selector: testId('seat-0') },
        { name: 'seat O', selector: testId('seat-1') },
        { name: 'rounds', selector: testId('rounds') },
        { name: 'board size', selector: testId('board-size') },
        { name: 'launch button', selector: testId('launch') },
        { name: 'log', selector: testId('log') },
        { name: 'chat input', selector: testId('chat-text') },
        { name: 'leave button', selector: testId('leave') },
        { name: 'back button', selector: testId('back') },
      ]);

      await ada.page.locator(testId('launch')).click();
      for (const { page } of [ada, bob, carol]) await page.waitForSelector(`${testId('play')}:not([hidden])`);
      // The controls of the phase before launch are gone.
      for (const id of ['setup', 'chat-form', 'leave', 'back', 'seats']) {
        expect(await ada.page.isHidden(testId(id)), id).toBe(true);
      }
      expect(await carol.page.isHidden(testId('resign'))).toBe(true); // a spectator has nothing to resign
      expect(await ada.page.isVisible(testId('resign'))).toBe(true);
      expect(await carol.page.textContent(testId('players'))).toBe(
        'X: ada · O: bob · watching: carol · you are watching',
      );

      // X takes the top row; O tries a taken cell first and reads why it was refused.
      await play(ada.page, 0);
      await play(bob.page, 3);
      await play(ada.page, 1);
      await bob.page.waitForSelector('[data-testid=turn][data-my-turn=true]');
      await expectLayout(bob.page, `${label}-4-playing`, [
        { name: 'turn', selector: testId('turn') },
        { name: 'players', selector: testId('players') },
        ...cells(3),
        { name: 'score', selector: testId('score') },
        { name: 'resign button', selector: testId('resign') },
      ]);
      await bob.page.$eval(testId('cell-0'), (button) => {
        (button as HTMLButtonElement).disabled = false;
      });
      await bob.page.locator(testId('cell-0')).click();
      await bob.page.waitForSelector(`${testId('error')}[data-code=bad-move]`);
      expect(await bob.page.textContent(testId('error-text'))).toBe('cell 0 is taken');
      await bob.page.waitForSelector('[data-testid=turn][data-my-turn=true]');
      await expectLayout(bob.page, `${label}-4b-refused-move`, [
        { name: 'error', selector: testId('error') },
        { name: 'turn', selector: testId('turn') },
        ...cells(3),
      ]);
      await play(bob.page, 4);
      await play(ada.page, 2);

      for (const { page } of [ada, bob, carol]) {
        await page.waitForSelector(`${testId('result')}:not([hidden])`);
        expect(await page.textContent(testId('result'))).toBe('ada (X) wins 1:0');
        const winning = await page.$$eval('[data-testid=board] .cell.win', (buttons) =>
          buttons.map((button) => Number((button as HTMLElement).dataset['cell'])),
        );
        expect(winning).toEqual([0, 1, 2]);
        // Nothing stale after the end: no cell to click, no launch, chat, seat or resign control.
        expect(await page.locator('[data-testid=board] .cell:not([disabled])').count()).toBe(0);
        for (const id of ['setup', 'chat-form', 'leave', 'resign', 'seats']) {
          expect(await page.isHidden(testId(id)), id).toBe(true);
        }
        expect(await page.isVisible(testId('back'))).toBe(true);
      }
      expect(await carol.page.getAttribute(testId('cell-1'), 'aria-label')).toBe(
        'row 1, column 2: X, winning line',
      );
      await expectLayout(carol.page, `${label}-5-over`, [
        { name: 'result', selector: testId('result') },
        { name: 'players', selector: testId('players') },
        ...cells(3),
        { name: 'score', selector: testId('score') },
        { name: 'back button', selector: testId('back') },
      ]);

      // Back in the lobby, bob's list (which showed the game before he opened it) drops it at the
      // next refresh: a launched game is no longer listed.
      const { page: bobPage } = bob;
      expect(await bobPage.locator('.game-row', { hasText: gameName }).count()).toBe(1);
      const refreshes = Number(await bobPage.getAttribute(testId('games-updated'), 'data-refreshes'));
      await bobPage.locator(testId('back')).click();
      await bobPage.waitForSelector(`${testId('games-panel')}:not([hidden])`);
      await bobPage.waitForFunction(
        (before) =>
          Number(document.querySelector('[data-testid=games-updated]')?.getAttribute('data-refreshes')) >
          before,
        refreshes,
      );
      expect(await bobPage.locator('.game-row', { hasText: gameName }).count()).toBe(0);
      for (const player of [ada, bob, carol]) expect(player.pageErrors).toEqual([]);
      for (const player of [ada, bob, carol]) await player.context.close();
    }, 120_000);
  });

  test("a page plays two rounds against a bot connected from Node: the first round's board keeps its winning line beside the second; Resign ends the match", async () => {
    const ada = await openPage(viewports[0].options);
    await enter(ada, 'ada');
    await ada.page.locator(testId('game-name')).fill('two rounds');
    await ada.page.locator(testId('create')).click();
    await ada.page.locator(testId('join-0')).click();
    await ada.page.waitForSelector(`${testId('seat-0')}:has-text("ada (you)")`);
    await ada.page.locator(testId('rounds')).selectOption('2');
    await ada.page.waitForSelector(`${testId('settings')}:has-text("2 rounds on 3×3, starters X O")`);

    // The bot plays O from Node over WebSocket: the first free cell of 3, 4, 5, … on its turn.
    const bot = LobbyClient.connect({
      identity: await Identity.generate({ name: 'bot' }),
      transport: ws(),
      address: web.webSocketAddress,
    });
    let seat: PlayerView | undefined;
    try {
      const listed = await bot.findGame((game) => game.name === 'two rounds');
      const botSeat = await joinSlot(bot.openGame(listed!.id), 1, 'bot');
      await ada.page.waitForSelector(`${testId('launch')}:not([disabled])`);
      await ada.page.locator(testId('launch')).click();
      seat = await botSeat.launched;
      const player = seat;
      const order = [3, 4, 5, 6, 7, 8, 0, 1, 2];
      const move = () => {
        if (player.myTurn)
          void player.move(order.find((cell) => player.board[cell] === null)!).catch(() => {});
      };
      player.onEvent(move);
      move();

      await play(ada.page, 0);
      await play(ada.page, 1);
      await play(ada.page, 2, false); // X wins round 1 on the top row; round 2 starts with O
      await ada.page.waitForSelector(`${testId('last-round')}:not([hidden])`);
      expect(await ada.page.textContent('#last-caption')).toBe('Round 1: ada (X) wins');
      const lastWinning = await ada.page.$$eval('[data-testid=last-board] .cell.win', (buttons) =>
        buttons.map((button) => Number((button as HTMLElement).dataset['cell'])),
      );
      expect(lastWinning).toEqual([0, 1, 2]);
      await ada.page.waitForSelector('[data-testid=turn][data-my-turn=true]');
      expect(await ada.page.textContent(testId('turn'))).toBe('Round 2 of 2: your turn (X)');
      expect(await ada.page.locator('[data-testid=board] .cell.win').count()).toBe(0);
      await expectLayout(ada.page, 'desktop-6-second-round', [
        { name: 'turn', selector: testId('turn') },
        ...cells(3),
        { name: 'last round board', selector: testId('last-board') },
        { name: 'last round caption', selector: '#last-caption' },
        { name: 'score', selector: testId('score') },
      ]);

      await ada.page.locator(testId('resign')).click();
      await ada.page.waitForSelector(`${testId('result')}:not([hidden])`);
      expect(await ada.page.textContent(testId('result'))).toBe('ada (X) resigned; bot (O) wins');
      expect((await player.outcome).kind).toBe('ended');
      expect(await ada.page.isHidden(testId('resign'))).toBe(true);
      expect(ada.pageErrors).toEqual([]);
    } finally {
      seat?.[Symbol.dispose]();
      await bot.close();
    }
  }, 90_000);

  test('when the server goes away the page says so and offers no lobby controls', async () => {
    const lonely = new LobbyServer({
      identity: await Identity.generate({ name: 'lonely' }),
      gameHost: sipGameHost(),
    });
    try {
      const endpoint = await serveWeb(lonely);
      const player = await openPlayer(browser, endpoint.url, viewports[0].options);
      players.push(player);
      const { page } = player;
      await enter(player, 'eve');
      await page.waitForSelector(`${testId('games-updated')}:not(:empty)`);
      await lonely.close();
      await page.waitForSelector('[data-testid=status][data-state=disconnected]', { timeout: 15_000 });
      expect(await page.textContent(testId('status'))).toMatch(/^Disconnected: .*Reload the page/);
      expect(await page.isHidden(testId('games-panel'))).toBe(true);
      expect(player.pageErrors).toEqual([]);
    } finally {
      await lonely.close();
    }
  }, 60_000);

  test('the layout check finds a hidden, an empty, an overflowing and an overlapping element', async () => {
    // A blank page of its own (the lobby page's CSP would refuse these inline styles).
    const context = await browser.newContext(viewports[0].options);
    players.push({ context, page: await context.newPage(), pageErrors: [] });
    const page = players.at(-1)!.page;
    await page.setContent(
      [
        '<!doctype html>',
        '<div id="a" style="position:absolute;left:10px;top:10px;width:100px;height:40px">a</div>',
        '<div id="b" style="position:absolute;left:60px;top:30px;width:100px;height:40px">b</div>',
        '<div id="c" style="position:absolute;left:1200px;top:100px;width:200px;height:40px">c</div>',
        '<div id="d" style="width:0;height:0"></div>',
        '<div id="e" hidden>e</div>',
        '<div id="f" style="position:absolute;left:10px;top:200px;width:50px;height:20px">f</div>',
      ].join(''),
    );
    const report = await checkLayout(page, screenshots, 'layout-check-self-test', [
      { name: 'a', selector: '#a' },
      { name: 'b', selector: '#b' },
      { name: 'c', selector: '#c' },
      { name: 'd', selector: '#d' },
      { name: 'e', selector: '#e' },
      { name: 'f', selector: '#f' },
      { name: 'missing', selector: '#missing' },
    ]);
    expect(report.problems, report.problems.join('\n')).toHaveLength(6);
    expect(report.problems.join('\n')).toMatch(/the page scrolls sideways by 120 px/);
    expect(report.problems.join('\n')).toMatch(/c is not inside the 1280×800 viewport/);
    expect(report.problems.join('\n')).toMatch(/d is not visible|d has no size/);
    expect(report.problems.join('\n')).toMatch(/e is not visible/);
    expect(report.problems.join('\n')).toMatch(/expected one missing/);
    expect(report.problems.join('\n')).toMatch(/a \[10,10 100×40\] overlaps b \[60,30 100×40\]/);
    expect(report.problems.some((problem) => /\bf\b/.test(problem))).toBe(false);
  }, 30_000);

  test('a reload keeps the identity (a non-extractable key in IndexedDB) and the name chosen once; a new name keeps the key', async () => {
    const dora = await openPage(viewports[0].options);
    await enter(dora, 'dora');
    const fingerprint = await dora.page.getAttribute(testId('me'), 'data-fingerprint');
    expect(fingerprint).toMatch(/^([a-z2-7]{4}-){7}[a-z2-7]{4}$/);
    const stored = await dora.page.evaluate(
      () =>
        new Promise<{ name: unknown; extractable: unknown; type: unknown }>((resolve, reject) => {
          const opening = indexedDB.open('msc-lobby');
          opening.onerror = () => reject(opening.error);
          opening.onsuccess = () => {
            const read = opening.result.transaction('identity').objectStore('identity').get('player');
            read.onerror = () => reject(read.error);
            read.onsuccess = () => {
              const record = read.result as { name: unknown; keyPair: CryptoKeyPair };
              resolve({
                name: record.name,
                extractable: record.keyPair.privateKey.extractable,
                type: record.keyPair.privateKey.algorithm.name,
              });
              opening.result.close();
            };
          };
        }),
    );
    expect(stored).toEqual({ name: 'dora', extractable: false, type: 'Ed25519' });

    await dora.page.reload();
    await dora.page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 15_000 });
    expect(await dora.page.isHidden(testId('welcome'))).toBe(true);
    expect(await dora.page.textContent(testId('me-name'))).toBe('dora');
    expect(await dora.page.getAttribute(testId('me'), 'data-fingerprint')).toBe(fingerprint);
    // Change name: the same key under the new name, after a reconnect.
    await dora.page.locator(testId('rename')).click();
    expect(await dora.page.inputValue(testId('name-input'))).toBe('dora');
    await Promise.all([dora.page.waitForEvent('load'), enterName(dora.page, 'dora the second')]);
    await dora.page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 15_000 });
    expect(await dora.page.textContent(testId('me-name'))).toBe('dora the second');
    expect(await dora.page.getAttribute(testId('me'), 'data-fingerprint')).toBe(fingerprint);
    // Another browser profile is another player.
    const other = await openPage(viewports[0].options);
    await enter(other, 'dora');
    expect(await other.page.getAttribute(testId('me'), 'data-fingerprint')).not.toBe(fingerprint);
    expect(dora.pageErrors).toEqual([]);
  }, 60_000);
});
