// A real browser (Debian's Chromium, driven by playwright-core) runs test/browser/page.ts, bundled at test time
// with the "browser" condition, against this test's own Node server on 127.0.0.1: one http.Server serves the page
// and hosts the WebSocket endpoint of a Scope whose root is a Desk.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proxy } from '@msc/eventual';
import { Scope, unauthenticated } from '@msc/session';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { type BrowserContext, chromium } from 'playwright-core';
import { rollup } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumFlags, chromiumPath } from '../../../config/chromium.ts';
import { Desk, type IDesk } from '../../transport-tcp/test/fixtures/counter.ts';
import { ws } from '../src/index.ts';

async function bundlePage(): Promise<string> {
  const bundle = await rollup({
    input: new URL('./browser/page.ts', import.meta.url).pathname,
    plugins: [
      nodeResolve({
        browser: true,
        exportConditions: ['browser', '@msc/source'],
        extensions: ['.ts', '.mjs', '.js'],
      }),
      esbuild({ target: 'es2022' }),
    ],
    onwarn: (warning, warn) => {
      if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

describe('in a real browser (Chromium)', () => {
  let server: Server;
  let scope: Scope;
  let browser: BrowserContext | undefined;
  let userDataDirectory: string;
  let pageScript: string;
  const sessionsSeen: string[] = [];

  beforeAll(async () => {
    pageScript = await bundlePage();
    server = createServer((request, response) => {
      if (request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><title>msc</title><script type="module" src="/page.js"></script>');
      } else if (request.url === '/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        response.end(pageScript);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const root = proxy<IDesk>(new Desk());
    scope = new Scope({
      transport: ws({
        server,
        allowedOrigins: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`],
      }),
      authenticator: unauthenticated(),
      root,
      onSession: (session) => sessionsSeen.push(session.addresses.remote),
    });
    root[Symbol.dispose]();
    await scope.listen('/msc');
    userDataDirectory = await mkdtemp(join(tmpdir(), 'msc-chromium-'));
    // A fresh profile in a temp dir (playwright passes it to Chromium as --user-data-dir).
    browser = await chromium.launchPersistentContext(userDataDirectory, {
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumFlags],
      timeout: 30_000,
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await scope?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (userDataDirectory !== undefined) await rm(userDataDirectory, { recursive: true, force: true });
  });

  it('the bundle takes the native-WebSocket build: no `ws` and no Node built-ins inside', () => {
    expect(pageScript).not.toMatch(/from ['"]ws['"]|require\(['"]ws['"]\)|node:/);
    expect(pageScript).toContain('browsers cannot accept connections');
  });

  it('a page makes pipelined calls through a Scope over ws, and the server calls back a capability it passed', async () => {
    const page = await browser!.newPage();
    try {
      const consoleLines: string[] = [];
      page.on('console', (message) => consoleLines.push(message.text()));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(
        () => (window as { mscResult?: unknown }).mscResult !== undefined,
        undefined,
        {
          timeout: 20_000,
        },
      );
      const report = await page.evaluate(() => (window as { mscResult?: unknown }).mscResult);
      expect(report, consoleLines.join('\n')).toEqual({
        transportName: 'ws',
        usesNodeWs: false,
        pipelined: [1, 11, 111],
        callBack: 'the page heard 42',
        echoed: 50_000,
      });
      expect(sessionsSeen.length).toBe(1);
    } finally {
      await page.close();
    }
  });
});
