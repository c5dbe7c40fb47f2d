// The browser client in a real browser (Debian's Chromium driven by playwright-core): the lobby
// server serves the rollup bundle over HTTP on its WebSocket port, the page connects over the
// native WebSocket, and the test clicks through create, join, chat, settings, launch and a full
// game against a bot player connected from Node.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity } from '@msc/identity';
import { ws } from '@msc/transport-ws';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumFlags, chromiumPath } from '../../../config/chromium.ts';
import { joinSlot, playToEnd } from '../src/client/bot.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import { LobbyServer } from '../src/lobby-server.ts';
import { sipGameHost } from '../src/sip-game-host.ts';
import { serveWeb, type WebEndpoint } from '../src/web/web-server.ts';

describe('the browser client in Chromium', () => {
  let server: LobbyServer;
  let web: WebEndpoint;
  let browser: BrowserContext;
  let userDataDirectory: string;

  beforeAll(async () => {
    server = new LobbyServer({
      identity: await Identity.generate({ name: 'lobby' }),
      gameHost: sipGameHost(),
    });
    web = await serveWeb(server);
    userDataDirectory = await mkdtemp(join(tmpdir(), 'msc-lobby-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDirectory, {
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumFlags],
      timeout: 30_000,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (userDataDirectory !== undefined) await rm(userDataDirectory, { recursive: true, force: true });
  });

  test('a player in the browser creates a game, chats with a bot, changes a setting, launches and plays it to the end', async () => {
    const page: Page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${web.url}?name=webby`);
    await page
      .waitForSelector('[data-testid=status][data-connected=true]', { timeout: 15_000 })
      .catch(async (error: unknown) => {
        throw new Error(
          `the page did not connect: ${await page.textContent('[data-testid=errors]')} ${pageErrors.join('; ')}`,
          { cause: error },
        );
      });
    expect(await page.textContent('[data-testid=status]')).toContain('connected as webby');

    await page.fill('[data-testid=game-name]', 'from the browser');
    await page.click('[data-testid=create]');
    await page.waitForSelector('[data-testid=game-title]:has-text("from the browser")');
    await page.click('[data-testid=join-0]');
    await page.waitForSelector('[data-testid=slot-0]:has-text("webby")');

    // A bot joins from Node over WebSocket.
    const bot = LobbyClient.connect({
      identity: await Identity.generate({ name: 'bot' }),
      transport: ws(),
      address: web.webSocketAddress,
    });
    try {
      const [listed] = (await bot.listGames()).games;
      expect(listed?.name).toBe('from the browser');
      const botView = bot.openGame(listed!.id);
      const botSeat = await joinSlot(botView, 1, 'bot');
      await page.waitForSelector('[data-testid=slot-1]:has-text("bot")');

      await page.fill('[data-testid=chat-text]', 'hello from chromium');
      await page.click('[data-testid=chat-send]');
      await botView.until((view) =>
        view.chat.some((line) => line.from === 'webby' && line.text === 'hello from chromium'),
      );
      await botView.say('hello, browser');
      await page.waitForSelector('[data-testid=log] li:has-text("bot: hello, browser")');

      await page.selectOption('[data-testid=rounds]', '2');
      await page.waitForSelector('[data-testid=settings]:has-text("2 rounds")');
      await botView.until((view) => view.settings?.rounds === 2);

      await page.click('[data-testid=launch]');
      await page.waitForSelector('[data-testid=play-status]:not(:empty)', { timeout: 15_000 });
      const botPlayer = await botSeat.launched;
      const botOutcome = playToEnd(botPlayer);

      // Play by clicking: whenever it is our turn, click the first free cell.
      const deadline = Date.now() + 30_000;
      while ((await page.getAttribute('[data-testid=play-status]', 'data-over')) !== 'true') {
        if (Date.now() > deadline) throw new Error('expected the game to end within 30 s');
        const status = (await page.textContent('[data-testid=play-status]')) ?? '';
        if (status.startsWith('your turn')) {
          const free = page.locator('[data-testid=board] button:not([disabled])').first();
          await free.click({ timeout: 2_000 }).catch(() => {});
        }
        await page.waitForTimeout(25);
      }
      expect(await page.textContent('[data-testid=play-status]')).toMatch(/^game over: /);
      const outcome = await botOutcome;
      expect(outcome.kind).toBe('ended');
      expect(await page.locator('[data-testid=moves] li').count()).toBeGreaterThan(4);
      botPlayer[Symbol.dispose]();
      expect(pageErrors).toEqual([]);
      expect(await page.locator('[data-testid=error]').count()).toBe(0);
    } finally {
      await bot.close();
      await page.close();
    }
  }, 60_000);
});
