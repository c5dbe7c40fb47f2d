import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { maximumMethodNameLength } from '../src/handlers/method-lookup.ts';
import { MethodNotFoundError, type Proxy, proxy } from '../src/index.ts';

type Anything = Proxy<Record<string, () => Promise<unknown>>>;

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('method names are hostile input', () => {
  class Target {
    async ping(): Promise<string> {
      return 'pong';
    }
  }

  test(`a name longer than ${maximumMethodNameLength} characters fails clearly, without echoing the name`, async () => {
    const target = proxy(new Target()) as unknown as Anything;
    const longest = 'm'.repeat(maximumMethodNameLength);
    const tooLong = 'm'.repeat(maximumMethodNameLength + 1);
    const atLimit = (await failure(target[longest]!())) as MethodNotFoundError;
    expect(atLimit.message).toContain('no such method');
    const over = (await failure(target[tooLong]!())) as MethodNotFoundError;
    expect(over).toBeInstanceOf(MethodNotFoundError);
    expect(over.code).toBe('method-not-found');
    expect(over.message).toContain(`over the limit of ${maximumMethodNameLength}`);
    const huge = (await failure(target['x'.repeat(1 << 20)]!())) as MethodNotFoundError;
    expect(huge.message.length).toBeLessThan(300);
    expect(huge.message).toContain('(1048576 characters)');
    expect(await target.ping!()).toBe('pong');
  });

  test('unique missing names grow no memory (measured in a child process after gc)', () => {
    // A child started with --expose-gc calls 20,000 unique missing names of 256 characters (5 MB
    // of names), as a peer and through a proxy, and reports the heap growth of each; while misses
    // were remembered (per class, and per proxy for bound methods) each grew by more than that.
    // The fixture is bundled from source with esbuild, since Node 20 does not run TypeScript.
    const directory = mkdtempSync(join(tmpdir(), 'msc-eventual-'));
    try {
      const script = join(directory, 'unique-missing-names.mjs');
      buildSync({
        entryPoints: [fileURLToPath(new URL('./fixtures/unique-missing-names.ts', import.meta.url))],
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'es2022',
        outfile: script,
        logLevel: 'silent',
      });
      const child = spawnSync(process.execPath, ['--expose-gc', script], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(child.stderr).toBe('');
      type Growth = { growth: number; calls: number };
      const { peer, program } = JSON.parse(child.stdout) as { peer: Growth; program: Growth };
      expect(peer.calls).toBe(20_000);
      expect(program.calls).toBe(20_000);
      expect(peer.growth).toBeLessThan(1024 * 1024);
      expect(program.growth).toBeLessThan(1024 * 1024);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
