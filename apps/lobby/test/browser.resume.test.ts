// The browser client resumes its session when its WebSocket is closed under it (issue 21), in a real
// Chromium against a real lobby server that offers resumption: mid-game, ada's network goes down (her
// page's socket closes with no word from the session, and her redials fail), bob sees "reconnecting"
// on her seat and moves meanwhile; the network comes back, ada's page resumes on its own (no
// reload), keeps her seat, shows the move she missed, and the game is played to the end.
import { Identity } from '@msc/identity';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LobbyServer } from '../src/lobby-server.ts';
import { sipGameHost } from '../src/sip-game-host.ts';
import { serveWeb, type WebEndpoint } from '../src/web/web-server.ts';
import {
  type BrowserPlayer,
  cutNetwork,
  enter,
  launchChromium,
  openPlayer,
  play,
  testId,
} from './fixtures/browser-players.ts';

const desktop = { viewport: { width: 1280, height: 800 } };

describe('the browser lobby in Chromium, with resumption', () => {
  let server: LobbyServer;
  let web: WebEndpoint;
  let browser: Browser;
  const log: string[] = [];
  const players: BrowserPlayer[] = [];

  beforeAll(async () => {
    server = new LobbyServer({
      identity: await Identity.generate({ name: 'lobby' }),
      gameHost: sipGameHost(),
      log: (line) => log.push(line),
      resume: { graceMs: 20_000 },
    });
    web = await serveWeb(server);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const player of players) await player.context.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  test('a page whose WebSocket is closed under it mid-game resumes, keeps its seat and shows what it missed; the other page saw it reconnecting, then back', async () => {
    const ada = await openPlayer(browser, web.url, desktop, { cuttableNetwork: true });
    players.push(ada);
    await enter(ada, 'ada');
    const bob = await openPlayer(browser, web.url, desktop);
    players.push(bob);
    await enter(bob, 'bob');
    const fingerprint = await ada.page.getAttribute(testId('me'), 'data-fingerprint');

    await ada.page.locator(testId('game-name')).fill('blip');
    await ada.page.locator(testId('create')).click();
    await ada.page.locator(testId('join-0')).click();
    await ada.page.waitForSelector(`${testId('seat-0')}:has-text("ada (you)")`);
    await bob.page.locator('.game-row', { hasText: 'blip' }).getByRole('button').click();
    await bob.page.locator(testId('join-1')).click();
    await bob.page.waitForSelector(`${testId('seat-1')}:has-text("bob (you)")`);
    await ada.page.waitForSelector(`${testId('launch')}:not([disabled])`);
    await ada.page.locator(testId('launch')).click();
    for (const { page } of [ada, bob]) await page.waitForSelector(`${testId('play')}:not([hidden])`);
    await play(ada.page, 0);
    await bob.page.waitForSelector('[data-testid=turn][data-my-turn=true]');

    // ada's network goes down: her page says it is reconnecting, bob's shows her seat reconnecting.
    await cutNetwork(ada.page, true);
    await ada.page.waitForSelector('[data-testid=status][data-state=reconnecting]');
    expect(await ada.page.textContent(testId('status'))).toMatch(/^Connection lost: reconnecting/);
    await bob.page.waitForSelector('[data-testid=players][data-reconnecting="0"]', { timeout: 5_000 });
    expect(await bob.page.textContent(testId('players'))).toBe(
      'X: ada (reconnecting…) · O: bob · you play O',
    );
    await bob.page.waitForSelector(
      `${testId('log')} li:has-text("ada (X) lost the connection and is reconnecting…")`,
    );

    // bob moves while ada is away; her board cannot show it yet.
    await play(bob.page, 4);
    expect(await ada.page.textContent(testId('cell-4'))).toBe('');

    // The network comes back: the page resumes by itself, same session, same seat.
    await cutNetwork(ada.page, false);
    await ada.page.waitForSelector('[data-testid=status][data-state=connected]', { timeout: 15_000 });
    await ada.page.waitForSelector(`${testId('cell-4')}:not(:empty)`);
    expect(await ada.page.textContent(testId('cell-4'))).toBe('O');
    await ada.page.waitForSelector(`${testId('log')} li:has-text("bob (O) played the centre.")`);
    expect(await ada.page.getAttribute(testId('me'), 'data-fingerprint')).toBe(fingerprint);
    await bob.page.waitForSelector('[data-testid=players][data-reconnecting=""]');
    expect(await bob.page.textContent(testId('players'))).toBe('X: ada · O: bob · you play O');
    const bobLog = await bob.page.locator(`${testId('log')} li`).allTextContents();
    const dropped = bobLog.indexOf('ada (X) lost the connection and is reconnecting….');
    const back = bobLog.indexOf('ada (X) reconnected.');
    expect(dropped, bobLog.join('\n')).toBeGreaterThanOrEqual(0);
    expect(back).toBeGreaterThan(dropped);

    // The game goes on to the end: ada takes the top row.
    await play(ada.page, 1);
    await play(bob.page, 5);
    await play(ada.page, 2);
    for (const { page } of [ada, bob]) {
      await page.waitForSelector(`${testId('result')}:not([hidden])`);
      expect(await page.textContent(testId('result'))).toBe('ada (X) wins 1:0');
    }
    expect(log.some((line) => line.includes('ada') && line.includes('resumed'))).toBe(true);
    expect(log.some((line) => line.includes('ada') && line.includes(' lost'))).toBe(false);
    expect(ada.pageErrors).toEqual([]);
    expect(bob.pageErrors).toEqual([]);
  }, 90_000);
});
