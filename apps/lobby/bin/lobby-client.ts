/*
 * The terminal client.
 *
 *   pnpm --filter @msc/lobby client -- --server tcp:127.0.0.1:7000 --name ada [--identity FILE] [--bot]
 *
 * Interactive by default (type `help`); `--bot` plays one game as a scripted bot and exits. Ctrl-C
 * closes the client's scope (its session ends, the server frees its slot) and exits.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Identity } from '@msc/identity';
import { loadOrCreateIdentity } from '@msc/identity/node';
import { LobbyClient } from '../src/client/lobby-client.ts';
import { transportFor } from '../src/node-transports.ts';
import { describeError, TerminalClient } from '../src/terminal/terminal-client.ts';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'tcp:127.0.0.1:7000' },
    name: { type: 'string', default: `player${Math.floor(Math.random() * 1000)}` },
    identity: { type: 'string' },
    bot: { type: 'boolean', default: false },
  },
});

const identity =
  values.identity === undefined
    ? await Identity.generate({ name: values.name })
    : await loadOrCreateIdentity(values.identity, { name: values.name });
const client = LobbyClient.connect({
  identity,
  transport: transportFor(values.server),
  address: values.server,
});
const terminal = new TerminalClient(client, values.name, (line) => console.log(line));

let exiting = false;
const exit = async (code: number) => {
  if (exiting) return;
  exiting = true;
  terminal.dispose();
  await client.close();
  process.exit(code);
};
process.once('SIGINT', () => void exit(0));

try {
  const me = await client.lobby.whoAmI();
  console.log(`connected to ${client.server} as ${me.name} (${me.fingerprint})`);
} catch (error) {
  // The scope's error already names the server's address (once); do not repeat it.
  console.error(`could not connect: ${describeError(error)}`);
  await exit(1);
}

if (values.bot) {
  const result = await terminal.playAsBot().catch((error: unknown) => `! ${describeError(error)}`);
  console.log(result);
  await exit(0);
} else {
  console.log("type 'help' for the commands");
  const input = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ' });
  input.prompt();
  input.on('line', (line) => {
    void terminal.run(line).then((goOn) => (goOn ? input.prompt() : exit(0)));
  });
  input.on('close', () => void exit(0));
  input.on('SIGINT', () => void exit(0));
}
