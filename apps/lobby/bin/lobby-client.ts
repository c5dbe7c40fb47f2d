/*
 * The terminal client.
 *
 *   npx pnpm@10.34.8 --filter @msc/lobby run client -- [--server tcp:127.0.0.1:7000] [--name ada]
 *       [--identity FILE] [--bot]
 *
 * (`msc-lobby-client` is the same command as a `bin` entry; `--help` prints the usage.)
 *
 * Interactive by default (type `help`); `--bot` plays one game as a scripted bot and exits. Ctrl-C
 * closes the client's scope (its session ends, the server frees its slot) and exits 0.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Identity } from '@msc/identity';
import { loadOrCreateIdentity } from '@msc/identity/node';
import { exitWithError, exitWithUsageError, parseCommandLineOrExit } from '../src/cli/command-line.ts';
import { stopOnInterrupt } from '../src/cli/interrupt.ts';
import { LobbyClient } from '../src/client/lobby-client.ts';
import { transportFor } from '../src/node-transports.ts';
import { describeError, TerminalClient } from '../src/terminal/terminal-client.ts';
import { TerminalOutput } from '../src/terminal/terminal-output.ts';
import { checkText, cleanText, maxPlayerNameLength, printable } from '../src/text-rules.ts';

const command = 'msc-lobby-client';
const usage = `Usage: ${command} [options]
  (from the repository root: npx pnpm@10.34.8 --filter @msc/lobby run client -- [options])

Connects to a lobby server as a player; type 'help' for the commands, Ctrl-C to leave.

Options:
  --server ADDRESS         tcp:HOST:PORT or ws://HOST:PORT/msc (default tcp:127.0.0.1:7000)
  --name NAME              your player name, 1 to ${maxPlayerNameLength} characters (default: player and a number)
  --identity FILE          keep your identity in FILE (created if missing; its folder must exist)
  --bot                    play one game as a scripted bot, then exit
  -h, --help               print this help`;

const values = parseCommandLineOrExit(command, usage, process.argv.slice(2), {
  server: { type: 'string', default: 'tcp:127.0.0.1:7000' },
  name: { type: 'string', default: `player${Math.floor(Math.random() * 1000)}` },
  identity: { type: 'string' },
  bot: { type: 'boolean', default: false },
});

// The name is also the seat name, which the server's schema takes as 1 to maxPlayerNameLength
// visible characters: a longer one would connect, then have every join refused. Checked here by the
// same rule (checkText), before anything connects.
if ('problem' in checkText(values.name, maxPlayerNameLength, 'a player name')) {
  const shown = printable(values.name.length > 40 ? `${values.name.slice(0, 40)}…` : values.name);
  exitWithUsageError(
    command,
    usage,
    new Error(
      `expected --name of 1 to ${maxPlayerNameLength} visible characters (your seat name in games), got ${[...cleanText(values.name)].length}: '${shown}'`,
    ),
  );
}

let transport: ReturnType<typeof transportFor>;
try {
  transport = transportFor(values.server);
} catch (error) {
  exitWithUsageError(command, usage, error);
}

const identityFile = values.identity;
if (identityFile !== undefined) {
  // Checked here so the player reads which folder to create, not an ENOENT about a temporary file.
  const folder = dirname(resolve(identityFile));
  const isFolder = await stat(folder).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    exitWithError(
      command,
      `the folder of --identity ${identityFile} does not exist: create it (mkdir -p ${folder}) or choose another file`,
    );
  }
}
const identity =
  identityFile === undefined
    ? await Identity.generate({ name: values.name }).catch((error: unknown) => exitWithError(command, error))
    : await loadOrCreateIdentity(identityFile, { name: values.name }).catch((error: unknown) =>
        exitWithError(
          command,
          `could not load or create the identity in ${identityFile}: ${describeError(error)}`,
        ),
      );

const output = new TerminalOutput(process.stdout);
// A dropped connection is resumed within the server's window (when it offers it): the game goes on.
const client = LobbyClient.connect({
  identity,
  transport,
  address: values.server,
  resume: {
    onEvent: (event) => {
      if (event.type === 'disconnected')
        output.print(printable(`! the connection dropped (${event.reason}): reconnecting…`), 'error');
      else if (event.type === 'resumed') output.print('reconnected: nothing was lost', 'notice');
      else if (event.type === 'lost')
        output.print(printable(`! could not reconnect: ${event.reason}`), 'error');
    },
  },
});
const terminal = new TerminalClient(client, values.name, (line, tone) => output.print(line, tone));

// One stop, however many ways ask for it (Ctrl-C, `quit`, end of input, the end of --bot).
let stopping: Promise<void> | undefined;
const stop = () =>
  (stopping ??= (async () => {
    output.detach();
    terminal.dispose();
    await client.close();
  })());
stopOnInterrupt(stop);
const exit = async (code: number) => {
  await stop();
  process.exit(code);
};

try {
  const me = await client.lobby.whoAmI();
  output.print(printable(`connected to ${client.server} as ${me.name} (${me.fingerprint})`), 'notice');
} catch (error) {
  // The scope's error already names the server's address (once); do not repeat it.
  process.stderr.write(`${command}: could not connect: ${printable(describeError(error))}\n`);
  await exit(1);
}

if (values.bot) {
  const result = await terminal.playAsBot().catch((error: unknown) => `! ${describeError(error)}`);
  output.print(printable(result), result.startsWith('!') ? 'error' : 'result');
  await exit(0);
} else {
  output.print("type 'help' for the commands");
  const input = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  output.attach(input);
  input.prompt();
  input.on('line', (line) => {
    void terminal.run(line).then((goOn) => (goOn ? input.prompt() : exit(0)));
  });
  input.on('close', () => void exit(0));
  // On a terminal, readline turns Ctrl-C into this event (no signal is sent).
  input.on('SIGINT', () => process.emit('SIGINT'));
}
