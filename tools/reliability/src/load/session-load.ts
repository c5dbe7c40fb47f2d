import { type NodeChild, openFileLimits, spawnNodeChild } from '../node-child.ts';
import { settledWithin } from '../within.ts';
import type { LoadTransportKind } from './load-transport.ts';

/** Options of {@link sessionLoad}. */
export interface SessionLoadOptions {
  /** `tcp` or `ws` (`@msc/transport-ws`). */
  readonly transport: LoadTransportKind;
  /** Sessions to hold open at the same time (the report uses 10,000; tests a few dozen). */
  readonly sessions: number;
  /** Client processes the sessions are spread over (1 or 2 on the 2-core machine). Default: 2. */
  readonly clientProcesses?: number;
  /** How long every open session calls in a loop, in milliseconds. Default: 10,000. */
  readonly callMilliseconds?: number;
  /** Handshakes in flight per client process while opening. Default: 100. */
  readonly openConcurrency?: number;
  /** Gives up (killing every child) after this many milliseconds in all. Default: 600,000. */
  readonly timeoutMs?: number;
}

/** The server's memory as its `measure` command reports it (after two garbage collections), in bytes. */
export interface ServerMeasure {
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
  /** The largest RSS sampled (every 250 ms) since the previous measure. */
  readonly peakRss: number;
  /** Sessions established and not ended. */
  readonly open: number;
  /** Sessions whose handshake failed. */
  readonly failed: number;
  /** Calls the server answered since it started. */
  readonly calls: number;
}

/** What one load run measured. */
export interface SessionLoadFigures {
  readonly transport: LoadTransportKind;
  /** Sessions asked for, and sessions open on the server with every client connected. */
  readonly requested: number;
  readonly reached: number;
  readonly clientProcesses: number;
  /** The soft open-file limit set in every child, and the hard limit of this machine. */
  readonly openFileLimit: number;
  readonly hardOpenFileLimit: number;
  /** Milliseconds until every client process had opened its share (they open in parallel). */
  readonly openMilliseconds: number;
  /** Server memory before any client connected, with every session open, and after the call phase. */
  readonly baseline: ServerMeasure;
  readonly loaded: ServerMeasure;
  readonly afterCalls: ServerMeasure;
  /** (heap used + external) growth from baseline to loaded, divided by the sessions open: bytes per session. */
  readonly bytesPerSession: number;
  /** The heap part alone, and the RSS growth per session (RSS includes sockets' kernel-side buffers only partly). */
  readonly heapBytesPerSession: number;
  readonly rssBytesPerSession: number;
  /** Calls answered in the call phase (counted by the clients), its length, and calls per second. */
  readonly calls: number;
  readonly callMilliseconds: number;
  readonly callsPerSecond: number;
  /** Calls that failed in the call phase. */
  readonly callErrors: number;
  /** Call latency with every session calling: the median of the clients' medians, the worst client's 99th percentile (ms). */
  readonly latencyP50: number;
  readonly latencyP99: number;
  /** Failures while opening or calling, by message (a few distinct ones at most). */
  readonly failures: Readonly<Record<string, number>>;
  /** Why fewer sessions than requested were reached, when that happened. */
  readonly shortfall?: string;
}

interface Connected {
  readonly open: number;
  readonly milliseconds: number;
  readonly failures: Record<string, number>;
}

interface Called {
  readonly calls: number;
  readonly errors: number;
  readonly milliseconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: Record<string, number>;
}

const serverScript = new URL('./load-server.ts', import.meta.url);
const clientScript = new URL('./load-client.ts', import.meta.url);
/** Descriptors a Node process uses besides its sockets (stdio, the event loop, libuv, files), with room. */
const spareDescriptors = 256;

/**
 * Holds `sessions` sessions open at once against one server process over TCP or WebSocket on
 * 127.0.0.1, with the clients in 1–2 other processes, and measures the server's memory per session and
 * the call rate it sustains while every session calls in a loop. The server's memory is measured in
 * its own process after two garbage collections (so the clients' memory is not counted).
 *
 * Every child gets a soft open-file limit of `min(hard limit, 65,536)` (set with `ulimit -n` before
 * `exec node`); when that cannot hold the sessions asked for, the run goes as far as it can and says
 * why in `shortfall`. Bounded: loopback only, every child is ended before this resolves, and the run
 * gives up after `timeoutMs` (killing the children, then rejecting).
 *
 * @throws Error when a child fails to start or report, or the run exceeds `timeoutMs`
 */
export async function sessionLoad(options: SessionLoadOptions): Promise<SessionLoadFigures> {
  const clientProcesses = Math.max(1, Math.min(options.clientProcesses ?? 2, options.sessions));
  const callMilliseconds = options.callMilliseconds ?? 10_000;
  const limits = openFileLimits();
  const openFiles = Math.min(limits.hard, 65_536);
  const children: NodeChild[] = [];
  const deadline = performance.now() + (options.timeoutMs ?? 600_000);
  const remaining = () => Math.max(1, deadline - performance.now());
  let quitting = false;
  try {
    const server = spawnNodeChild(serverScript, [options.transport], { openFiles });
    children.push(server);
    const address = await server.line('address', Math.min(remaining(), 60_000));
    const measure = async () => {
      server.send('measure');
      return JSON.parse(await server.line('measure', Math.min(remaining(), 60_000))) as ServerMeasure;
    };
    const baseline = await measure();

    const shares = Array.from(
      { length: clientProcesses },
      (_, index) =>
        Math.floor(options.sessions / clientProcesses) + (index < options.sessions % clientProcesses ? 1 : 0),
    );
    const clients = shares.map((share) =>
      spawnNodeChild(
        clientScript,
        [options.transport, address, String(share), String(options.openConcurrency ?? 100)],
        { openFiles },
      ),
    );
    children.push(...clients);
    const connected = await Promise.all(
      clients.map(async (client) => JSON.parse(await client.line('connected', remaining())) as Connected),
    );
    const openMilliseconds = Math.max(...connected.map((figures) => figures.milliseconds));
    const loaded = await measure();

    for (const client of clients) client.send(`go ${callMilliseconds}`);
    const called = await Promise.all(
      clients.map(async (client) => JSON.parse(await client.line('called', remaining())) as Called),
    );
    const afterCalls = await measure();

    const failures: Record<string, number> = {};
    for (const record of [...connected, ...called].map((figures) => figures.failures)) {
      for (const [message, count] of Object.entries(record))
        failures[message] = (failures[message] ?? 0) + count;
    }
    const reached = loaded.open;
    const calls = called.reduce((sum, figures) => sum + figures.calls, 0);
    const callElapsed = Math.max(...called.map((figures) => figures.milliseconds));
    const perSession = (before: number, after: number) => (reached > 0 ? (after - before) / reached : 0);
    const medians = called.map((figures) => figures.p50).sort((a, b) => a - b);
    const neededPerProcess = Math.max(reached, ...shares) + spareDescriptors;
    const shortfall =
      reached >= options.sessions
        ? undefined
        : neededPerProcess > openFiles
          ? `the open-file limit: the server needs about ${options.sessions + spareDescriptors} descriptors, the hard limit is ${limits.hard}`
          : `failures: ${JSON.stringify(failures)}`;

    quitting = true;
    for (const client of clients) client.send('quit');
    server.send('quit');
    return {
      transport: options.transport,
      requested: options.sessions,
      reached,
      clientProcesses,
      openFileLimit: openFiles,
      hardOpenFileLimit: limits.hard,
      openMilliseconds,
      baseline,
      loaded,
      afterCalls,
      bytesPerSession: perSession(baseline.heapUsed + baseline.external, loaded.heapUsed + loaded.external),
      heapBytesPerSession: perSession(baseline.heapUsed, loaded.heapUsed),
      rssBytesPerSession: perSession(baseline.rss, loaded.rss),
      calls,
      callMilliseconds: callElapsed,
      callsPerSecond: callElapsed > 0 ? (calls / callElapsed) * 1000 : 0,
      callErrors: called.reduce((sum, figures) => sum + figures.errors, 0),
      latencyP50: medians[Math.floor(medians.length / 2)] ?? 0,
      latencyP99: Math.max(...called.map((figures) => figures.p99)),
      failures,
      ...(shortfall !== undefined ? { shortfall } : {}),
    };
  } finally {
    // Children told to quit get a moment to end their sessions; after a failure (or past it) they are killed.
    if (quitting) await settledWithin(Promise.all(children.map((child) => child.exited)), 15_000);
    for (const child of children) child.kill();
    await Promise.all(children.map((child) => child.exited));
  }
}
