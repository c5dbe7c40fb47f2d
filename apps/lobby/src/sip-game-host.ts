import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type SipKind, type SipResourceLimits, spawnSip } from '@msc/sip';
import type { GameSetup, IGameSession } from './contracts.ts';
import type { GameHost, HostedGame, HostedGameEnd } from './game-host.ts';

/** Options of {@link sipGameHost}. */
export interface SipGameHostOptions {
  /** `worker` (a thread, default) or `process` (a child process). */
  readonly kind?: SipKind | undefined;
  /** Heap limits of each game SIP. Default: 32 MiB of old generation. */
  readonly resourceLimits?: SipResourceLimits | undefined;
  /**
   * How many game SIPs may be starting at once; further launches wait their turn. A burst of
   * launches on a small machine would otherwise make start-ups overrun the handshake timeout.
   * Default: twice the available parallelism (at least 2).
   */
  readonly concurrentStarts?: number | undefined;
  /**
   * Modules each game SIP runs before the game, bundled with it in this order: one that installs a
   * call tracer (`instrumentSessions()` of `@msc/opentelemetry`, with the SIP's own provider and
   * exporter) traces the game's side of its session. Default: none.
   */
  readonly setupModules?: readonly URL[] | undefined;
  /** Environment variables of each game SIP (`process.env` inside it; a setup module may read them). Default: none. */
  readonly env?: Readonly<Record<string, string>> | undefined;
}

/**
 * Runs each launched game in a SIP of its own (docs/semantics.md#sips): a worker thread or a child
 * process with its own memory, connected to the server by a session. A crash, an endless loop or
 * running out of memory ends that game only: its players' values abort with `AbortedError`, and the
 * lobby and other games go on. The end of the match ends the SIP (definitively).
 *
 * The game module (`src/game/game.sip.ts`) is bundled to JavaScript with esbuild once per host, in
 * a temporary directory removed by `close()`: Node 20 cannot load TypeScript in worker threads.
 */
export function sipGameHost(options: SipGameHostOptions = {}): GameHost {
  const kind = options.kind ?? 'worker';
  const running = new Set<HostedGame>();
  const startLimit = Math.max(1, options.concurrentStarts ?? Math.max(2, 2 * availableParallelism()));
  let starting = 0;
  const waitingToStart: (() => void)[] = [];
  const startSlot = async (): Promise<void> => {
    if (starting < startLimit) {
      starting++;
      return;
    }
    // The slot is handed over by `releaseStartSlot`, so `starting` stays counted.
    await new Promise<void>((resolve) => waitingToStart.push(resolve));
  };
  const releaseStartSlot = (): void => {
    const next = waitingToStart.shift();
    if (next !== undefined) next();
    else starting--;
  };
  let bundle: Promise<{ directory: string; module: URL }> | undefined;
  let closed = false;

  const bundleModule = async () => {
    const { build } = await import('esbuild');
    const directory = await mkdtemp(join(tmpdir(), 'msc-lobby-game-'));
    const outfile = join(directory, 'game.sip.mjs');
    const game = fileURLToPath(new URL('./game/game.sip.ts', import.meta.url));
    const setup = (options.setupModules ?? []).map((module) => fileURLToPath(module));
    await build({
      // With setup modules, an entry that imports them first: ES modules run in import order.
      ...(setup.length === 0
        ? { entryPoints: [game] }
        : {
            stdin: {
              contents: [...setup, game].map((path) => `import ${JSON.stringify(path)};`).join('\n'),
              resolveDir: dirname(game),
              sourcefile: 'game-with-setup.ts',
              loader: 'ts' as const,
            },
            // Registry packages' ES module builds (a CommonJS one would need require() in this bundle).
            mainFields: ['module', 'main'],
          }),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['@msc/source'],
      outfile,
      logLevel: 'silent',
    });
    return { directory, module: pathToFileURL(outfile) };
  };

  return {
    kind: `sip:${kind}`,
    async start(setup: GameSetup): Promise<HostedGame> {
      if (closed) throw new Error('the game host is closed');
      bundle ??= bundleModule();
      const { module } = await bundle;
      await startSlot();
      if (closed) {
        releaseStartSlot();
        throw new Error('the game host is closed');
      }
      const sip = spawnSip<IGameSession, GameSetup>(module, {
        kind,
        init: setup,
        name: `game ${setup.gameId}`,
        resourceLimits: options.resourceLimits ?? { maxOldGenerationSizeMb: 32 },
        exitGraceMs: 1_000,
        ...(options.env === undefined ? {} : { env: options.env }),
      });
      // The slot is free once the SIP runs (or failed to start).
      void Promise.race([sip.established.catch(() => {}), sip.ended]).then(releaseStartSlot);
      let stopCause: HostedGameEnd['cause'] | undefined;
      const ended = sip.ended.then((end): HostedGameEnd => {
        running.delete(hosted);
        if (stopCause !== undefined && end.cause === 'terminated')
          return { cause: stopCause, message: end.message };
        return { cause: 'crashed', message: `${end.cause}: ${end.error?.message ?? end.message}` };
      });
      const hosted: HostedGame = {
        root: sip.root,
        ended,
        get description() {
          return kind === 'worker'
            ? `worker SIP (thread ${sip.threadId ?? '?'})`
            : `process SIP (pid ${sip.pid ?? '?'})`;
        },
        async stop(cause, message) {
          stopCause ??= cause;
          await sip.terminate(message);
          return ended;
        },
      };
      running.add(hosted);
      return hosted;
    },
    async close() {
      closed = true;
      await Promise.all([...running].map((hosted) => hosted.stop('stopped', 'the game host closed')));
      if (bundle !== undefined) {
        const { directory } = await bundle.catch(() => ({ directory: undefined }));
        if (directory !== undefined) await rm(directory, { recursive: true, force: true });
      }
    },
  };
}
