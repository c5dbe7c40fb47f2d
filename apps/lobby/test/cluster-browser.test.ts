// The browser client follows a redirect (issue 19): two cluster nodes on one redis-server, each
// serving the page and its WebSocket endpoint; a page in Chromium connected to node B opens, joins
// and plays out a game that node A owns, against a page on A. B's answer `elsewhere` and its redirect
// (A's WebSocket address, A's fingerprint, a ticket for the page's identity) are followed by the
// page's LobbyClient: it dials A over WebSocket, admitting only A's key, and redeems the ticket.
// The nodes run in this process (the kill tests are in cluster*.test.ts); Redis is a child process.
import { request as httpRequest } from 'node:http';
import { Identity } from '@msc/identity';
import { tcp } from '@msc/transport-tcp';
import { ws } from '@msc/transport-ws';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumFlags, chromiumPath } from '../../../config/chromium.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import { ClusterNode } from '../src/cluster/cluster-node.ts';
import { inProcessGameHost } from '../src/in-process-game-host.ts';
import { bundleBrowserClient } from '../src/web/bundle-browser-client.ts';
import { serveWeb } from '../src/web/web-server.ts';
import { startRedis } from './redis-process.ts';

const testId = (id: string) => `[data-testid=${id}]`;

interface Node {
  readonly node: ClusterNode;
  readonly url: string;
  readonly log: string[];
}

describe('the browser client in a cluster', { timeout: 120_000 }, () => {
  let a: Node;
  let b: Node;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const clients: LobbyClient[] = [];

  beforeAll(async () => {
    const redis = await startRedis({ shared: true });
    const script = await bundleBrowserClient();
    const start = async (name: string): Promise<Node> => {
      const log: string[] = [];
      let url = '';
      const node = await ClusterNode.start({
        identity: await Identity.generate({ name: `lobby-${name}` }),
        gameHost: inProcessGameHost(),
        log: (line) => log.push(line),
        cluster: { redis: redis.url, node: name, leaseMs: 1_500 },
        web: async (server, peerWebSockets) => {
          const endpoint = await serveWeb(server, { script, peerWebSockets });
          url = endpoint.url;
          return endpoint;
        },
      });
      return { node, url, log };
    };
    [a, b] = await Promise.all([start('a'), start('b')]);
    const started = performance.now();
    // Each knows the other's WebSocket address (from the other's record in the directory).
    while (
      !b.node.directory.peerWebSockets().includes(a.node.webSocketAddress as string) ||
      !a.node.directory.peerWebSockets().includes(b.node.webSocketAddress as string)
    ) {
      if (performance.now() - started > 10_000) throw new Error('expected the nodes to know each other');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumFlags],
      timeout: 30_000,
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await Promise.allSettled([a?.node.close(), b?.node.close()]);
  });

  /** A page on `node`'s own address, under a new browser profile (its own identity), entered as `name`. */
  async function enter(node: Node, name: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(node.url);
    await page.locator(testId('name-input')).fill(name);
    await page.locator(testId('name-submit')).click();
    await page.waitForSelector('[data-testid=status][data-state=connected]');
    return { page, errors };
  }

  /** The HTTP status of a WebSocket upgrade to `address` sent with `origin` (101 when accepted). */
  function upgradeStatus(address: string, origin: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(address.replace(/^ws:/, 'http:'), {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          origin,
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      request.on('upgrade', (response, socket) => {
        socket.destroy();
        resolve(response.statusCode ?? 0);
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
  }

  async function play(page: Page, cell: number): Promise<void> {
    await page.waitForSelector('[data-testid=turn][data-my-turn=true]');
    await page.locator(testId(`cell-${cell}`)).click();
    await page.waitForSelector(`[data-testid=cell-${cell}]:not(:empty)`);
  }

  test("a redirect names the owner's address on the asker's transport: WebSocket for a browser's session, TCP for a terminal's", async () => {
    const identity = await Identity.generate({ name: 'tia' });
    const host = LobbyClient.connect({ identity, transport: tcp(), address: a.node.address });
    const overTcp = LobbyClient.connect({ identity, transport: tcp(), address: b.node.address });
    const overWs = LobbyClient.connect({
      identity,
      transport: ws(),
      address: b.node.webSocketAddress as string,
    });
    clients.push(host, overTcp, overWs);
    const game = host.createGame('addresses');
    await game.until((view) => view.lsn >= 0);
    const started = performance.now();
    while (!(await overTcp.listGames()).games.some((summary) => summary.id === game.gameId)) {
      if (performance.now() - started > 5_000) throw new Error('expected B to list the game');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const [viaTcp, viaWs] = await Promise.all([
      overTcp.lobby.redirect(game.gameId),
      overWs.lobby.redirect(game.gameId),
    ]);
    expect(viaTcp.address).toBe(a.node.address);
    expect(viaWs.address).toBe(a.node.webSocketAddress);
    expect(viaWs.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/msc$/);
    expect(viaWs.fingerprint).toBe(viaTcp.fingerprint);
    game[Symbol.dispose]();
  });

  test("B's page may connect to A (its CSP names A's WebSocket address) and A accepts B's page's origin, not others", async () => {
    const response = await fetch(b.url);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain(`connect-src 'self' ${a.node.webSocketAddress}`);
    const pageOrigin = new URL(b.url).origin;
    expect(await upgradeStatus(a.node.webSocketAddress as string, 'http://127.0.0.1:1')).toBe(403);
    expect(await upgradeStatus(a.node.webSocketAddress as string, pageOrigin)).toBe(101);
  });

  test('a page connected to node B joins and plays a game owned by node A, against a page on A, without noticing', async () => {
    const ada = await enter(a, 'ada');
    const bea = await enter(b, 'bea');
    const gameName = 'across the cluster';
    await ada.page.locator(testId('game-name')).fill(gameName);
    await ada.page.locator(testId('create')).click();
    await ada.page.waitForSelector(`${testId('game-title')}:text-is("${gameName}")`);
    await ada.page.locator(testId('join-0')).click();
    await ada.page.waitForSelector(`${testId('seat-0')}:has-text("ada (you)")`);

    // B lists A's game (from its mirror); the page opens it as any other game.
    const listed = bea.page.locator('.game-row', { hasText: gameName });
    await listed.filter({ hasText: 'free: O, spectator, spectator' }).waitFor({ timeout: 15_000 });
    await listed.getByRole('button', { name: `Open ${gameName}` }).click();
    await bea.page.locator(testId('join-1')).click();
    await bea.page.waitForSelector(`${testId('seat-1')}:has-text("bea (you)")`);
    await ada.page.waitForSelector(`${testId('seat-1')}:has-text("bea")`);
    // The page reached A over WebSocket, under its own identity (A saw it connect over ws).
    const beaFingerprint = (await bea.page.textContent(testId('me-fingerprint'))) as string;
    expect(a.log.some((line) => line.includes(beaFingerprint) && line.includes('connected over ws'))).toBe(
      true,
    );

    await ada.page.waitForSelector(`${testId('launch')}:not([disabled])`);
    await ada.page.locator(testId('launch')).click();
    for (const { page } of [ada, bea]) await page.waitForSelector(`${testId('play')}:not([hidden])`);
    await play(ada.page, 0);
    await play(bea.page, 3);
    await play(ada.page, 1);
    await play(bea.page, 4);
    await ada.page.waitForSelector('[data-testid=turn][data-my-turn=true]');
    await ada.page.locator(testId('cell-2')).click();
    for (const { page } of [ada, bea]) {
      await page.waitForSelector(`${testId('result')}:not([hidden])`);
      expect(await page.textContent(testId('result'))).toBe('ada (X) wins 1:0');
    }
    expect(bea.errors).toEqual([]);
    expect(ada.errors).toEqual([]);
    expect(await bea.page.locator(testId('error')).count()).toBe(0);
  });
});
