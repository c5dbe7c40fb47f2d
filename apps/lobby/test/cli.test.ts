import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { eventually } from './harness.ts';

const lobbyFolder = fileURLToPath(new URL('..', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const serverBin = fileURLToPath(new URL('../bin/msc-lobby-server.js', import.meta.url));
const clientBin = fileURLToPath(new URL('../bin/msc-lobby-client.js', import.meta.url));

/** A stack trace line, as node prints one (`    at parseArgs (node:internal/…)`). */
const stackLine = /^\s+at /m;

/** Runs a `bin` entry with plain node, as `msc-lobby-server` / `msc-lobby-client` run, to its end. */
async function runBin(bin: string, args: readonly string[]) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: lobbyFolder,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', (exitCode) => resolve(exitCode)),
  );
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

function collect(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout: () => stdout, stderr: () => stderr };
}

describe('the lobby command lines', () => {
  test('--help prints the usage and exits 0, also after the literal -- that pnpm passes through', {
    timeout: 60_000,
  }, async () => {
    const server = await runBin(serverBin, ['--help']);
    expect(server).toMatchObject({ code: 0, stderr: '' });
    expect(server.stdout).toMatch(/^Usage: msc-lobby-server \[options\]/);
    expect(server.stdout).toContain('--tcp HOST:PORT');
    const client = await runBin(clientBin, ['--', '-h']);
    expect(client).toMatchObject({ code: 0, stderr: '' });
    expect(client.stdout).toMatch(/^Usage: msc-lobby-client \[options\]/);
    expect(client.stdout).toContain('--server ADDRESS');
  });

  test('a bad flag exits 2 with one line naming it and the usage, never a stack trace', {
    timeout: 90_000,
  }, async () => {
    const cases: [string, readonly string[], string][] = [
      [serverBin, ['--nme', 'ada'], "msc-lobby-server: unknown option '--nme'"],
      [
        serverBin,
        ['--admission', 'maybe'],
        "msc-lobby-server: expected --admission allow-all or tofu, got 'maybe'",
      ],
      [serverBin, ['--log', 'debug'], "msc-lobby-server: expected --log warn, info or off, got 'debug'"],
      [
        serverBin,
        ['--resume-grace', '2.5'],
        "msc-lobby-server: expected --resume-grace a whole number of seconds from 0 to 3600, got '2.5'",
      ],
      [
        serverBin,
        ['--web', '8080'],
        "msc-lobby-server: expected --web HOST:PORT (as in 127.0.0.1:8080), got '8080'",
      ],
      [clientBin, ['--', '--name'], "msc-lobby-client: option '--name <value>' argument missing"],
      [
        clientBin,
        ['--name', 'abcdefghijklmnopqrstuvwxyz'], // a seat name is 1 to 24 characters: every join would fail
        "msc-lobby-client: expected --name of 1 to 24 visible characters (your seat name in games), got 26: 'abcdefghijklmnopqrstuvwxyz'",
      ],
      [
        clientBin,
        ['ada'],
        "msc-lobby-client: unexpected argument 'ada' (every value follows its flag, as in --name ada)",
      ],
      [
        clientBin,
        ['--server', 'http://127.0.0.1:8080/'],
        'msc-lobby-client: "http://127.0.0.1:8080/" is the browser page\'s address: connect to its WebSocket endpoint, --server ws://127.0.0.1:8080/msc',
      ],
    ];
    const results = await Promise.all(cases.map(([bin, args]) => runBin(bin, args)));
    for (const [index, result] of results.entries()) {
      const [, args, line] = cases[index]!;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[0]).toBe(line);
      expect(result.stderr).toContain('\nUsage: msc-lobby-');
      expect(result.stderr).not.toMatch(stackLine);
    }
  });

  test('an identity in a folder that does not exist says which folder to create and exits 1', {
    timeout: 60_000,
  }, async () => {
    const missing = `/tmp/msc-lobby-no-such-folder-${process.pid}/deeper`;
    const result = await runBin(clientBin, [
      '--identity',
      `${missing}/ada.json`,
      '--server',
      'tcp:127.0.0.1:1',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `msc-lobby-client: the folder of --identity ${missing}/ada.json does not exist: create it (mkdir -p ${missing}) or choose another file\n`,
    );
  });
});

describe('the lobby server log', () => {
  test('by default a peer that fails its handshake is one stamped warn line on stderr, naming its address', {
    timeout: 90_000,
  }, async () => {
    const child = spawn(
      process.execPath,
      [serverBin, '--tcp', '127.0.0.1:0', '--web', '127.0.0.1:0', '--game-host', 'in-process'],
      { cwd: lobbyFolder, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const output = collect(child);
    try {
      await eventually(
        () => /terminal clients connect to tcp:/.test(output.stdout()),
        'the server started',
        60_000,
      );
      const port = Number(/terminal clients connect to tcp:127\.0\.0\.1:(\d+)/.exec(output.stdout())![1]);
      // A peer whose first frame is not a hello (a 4-byte length, then 5 bytes of text).
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      await new Promise((resolve) => socket.once('connect', resolve));
      const address = `tcp:127.0.0.1:${socket.localPort}`;
      socket.write(Buffer.from([0, 0, 0, 5, ...Buffer.from('hello')]));
      await eventually(() => output.stderr().includes('handshake-failed'), 'the failure logged', 30_000);
      socket.destroy();
      expect(output.stderr()).toMatch(
        new RegExp(
          `^\\d\\d:\\d\\d:\\d\\d handshake-failed: listener ${address}: the first frame is not a valid hello`,
          'm',
        ),
      );
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});

describe('run server and run client through pnpm from the repository root', () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    // Each run is a process group of its own (pnpm, sh, node): end what is left of it.
    for (const child of started.splice(0)) {
      try {
        if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }
  });

  /**
   * Starts `pnpm <args>` at the repository root as a terminal would: in a process group of its own,
   * so that a SIGINT to the group is what Ctrl-C sends.
   */
  const pnpm = (pnpmEntry: string, args: readonly string[]) => {
    const child = spawn(process.execPath, [pnpmEntry, ...args], {
      cwd: repositoryRoot,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    started.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: collect(child), exited };
  };

  test('the server starts on free ports and answers, a client connects, and Ctrl-C ends each with exit 0', {
    timeout: 150_000,
  }, async () => {
    const entry = await pinnedPnpm();
    const server = pnpm(entry, [
      '--filter',
      '@msc/lobby',
      'run',
      'server',
      '--',
      '--tcp',
      '127.0.0.1:0',
      '--web',
      '127.0.0.1:0',
    ]);
    await eventually(() => server.output.stdout().includes('Ctrl-C stops'), 'the server started', 90_000);
    const tcpAddress = /terminal clients connect to (tcp:\S+)/.exec(server.output.stdout())?.[1];
    const pageUrl = /browser client at (http:\S+)/.exec(server.output.stdout())?.[1];
    expect(tcpAddress).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    const page = await fetch(pageUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');

    const client = pnpm(entry, [
      '--filter',
      '@msc/lobby',
      'run',
      'client',
      '--',
      '--server',
      tcpAddress!,
      '--name',
      'ada',
    ]);
    await eventually(() => client.output.stdout().includes("type 'help'"), 'the client connected', 60_000);
    expect(client.output.stdout()).toMatch(/connected to lobby \(.*\) as ada \(/);
    process.kill(-client.child.pid!, 'SIGINT');
    expect(await client.exited).toBe(0);
    await eventually(
      () => server.output.stdout().includes('ada') && server.output.stdout().includes('disconnected'),
      'the server saw ada leave',
    );

    process.kill(-server.child.pid!, 'SIGINT');
    expect(await server.exited).toBe(0);
    expect(server.output.stdout()).toContain('shutting down');
    for (const run of [server, client]) {
      expect(run.output.stderr()).not.toContain('ERR_PNPM');
      expect(run.output.stderr()).not.toMatch(stackLine);
    }
  });
});

/**
 * The pinned pnpm's own entry script (the root `packageManager`), from npx's cache: run with node
 * directly so that the test's SIGINT reaches pnpm as a terminal's would, without npx's wrapper shell.
 */
async function pinnedPnpm(): Promise<string> {
  const manifest = JSON.parse(readFileSync(`${repositoryRoot}/package.json`, 'utf8')) as {
    packageManager: string;
  };
  const { stdout } = await promisify(execFile)(
    'npx',
    ['--yes', '-p', manifest.packageManager, '-c', 'command -v pnpm'],
    {
      cwd: repositoryRoot,
      timeout: 60_000,
    },
  );
  return realpathSync(stdout.trim());
}
