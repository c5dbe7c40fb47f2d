import { Identity } from '@msc/identity';
import { LobbyClient } from '@msc/lobby/client';
import { tcp } from '@msc/transport-tcp';
import type { Attack, AttackContext } from './attack.ts';

let players = 0;

/** A lobby client over TCP with a fresh identity, closed after the attack. */
async function player(context: AttackContext, name = `attacker${++players}`): Promise<LobbyClient> {
  const client = LobbyClient.connect({
    identity: await Identity.generate({ name }),
    transport: tcp(),
    address: context.target.addresses.lobbyTcp,
  });
  context.defer(() => client.close());
  await client.ready();
  return client;
}

/** The lobby error code of a refusal (`LobbyError`'s `code` crosses the session), or `ok` when `promise` resolved. */
async function lobbyCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === 'string'
      ? code
      : `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A launch handler that ignores the launch (the attacks never launch). */
const ignoreLaunch = async () => {};

/**
 * Class 9: a seated player changes the rounds to `-Infinity` (then `NaN`, `1e9`, `2.5`, a string).
 * Fixed: every field is validated before use: each call is refused at once (`invalid-arguments` from
 * the argument schema, or `invalid-settings`), and the event loop never freezes.
 */
async function nonFiniteRounds(context: AttackContext): Promise<string> {
  const client = await player(context);
  const game = client.createGame('rounds');
  await game.join(0, 'x', ignoreLaunch);
  await game.until((view) => view.slots.some((slot) => slot.name === 'x'));
  const codes = new Set<string>();
  for (const rounds of [Number.NEGATIVE_INFINITY, Number.NaN, 1e9, 2.5, '3' as unknown as number]) {
    codes.add(await lobbyCode(game.change({ kind: 'rounds', rounds })));
  }
  return [...codes].join(', ');
}

/**
 * Class 9: one player creates games until refused (at most 300 per scale unit). Fixed: games per
 * player are bounded: a creation past the bound is refused with a lobby error code.
 */
async function unboundedGameCreation(context: AttackContext): Promise<string> {
  const client = await player(context);
  for (let index = 0; index < 300 * context.scale; index++) {
    const game = client.createGame(`flood ${index}`);
    const code = await lobbyCode(game.launcher.whenResolved());
    if (code !== 'ok') return code;
    if (index % 200 === 199) await context.sampleMemory();
  }
  return 'up';
}

/** Control characters an attacker writes into a name and a chat line (ANSI clear screen, bell, bidi override). */
const controlText = 'evil\u001b[2J\u0007\u202eeman\u0000';

/**
 * Class 9: a game name and a chat line full of control characters (ANSI escapes, BEL, NUL, a bidi
 * override). Fixed: refused with `bad-text` (or accepted with the characters removed): either way no
 * control character reaches the server's log.
 */
async function controlCharacters(context: AttackContext): Promise<string> {
  const client = await player(context);
  const game = client.createGame(controlText);
  const created = await lobbyCode(game.launcher.whenResolved());
  let said = 'skipped';
  if (created === 'ok') {
    await game.join(0, 'x', ignoreLaunch);
    said = await lobbyCode(game.say(controlText));
  }
  const logged = context.target.logs.slice(context.logsSince);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  const leaked = logged.some((line) => /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/.test(line));
  if (leaked) return 'logged-control-characters';
  return (
    [...new Set([created, said])].filter((code) => code !== 'skipped' && code !== 'ok').join(', ') ||
    'sanitized'
  );
}

/**
 * Class 10: the lobby page's response headers. Fixed: it sends a Content-Security-Policy with
 * `frame-ancestors`, and `X-Content-Type-Options: nosniff`: names `headers-set`, or the ones missing.
 */
async function pageHeaders(context: AttackContext): Promise<string> {
  const response = await fetch(context.target.addresses.lobbyPage);
  await response.arrayBuffer();
  const missing: string[] = [];
  const policy = response.headers.get('content-security-policy') ?? '';
  if (policy === '') missing.push('content-security-policy');
  if (!/frame-ancestors/.test(policy)) missing.push('frame-ancestors');
  if (response.headers.get('x-content-type-options') !== 'nosniff') missing.push('nosniff');
  return missing.length === 0 ? 'headers-set' : `missing: ${missing.join(', ')}`;
}

/** Class 9 (the lobby's validation) and the lobby page's headers of class 10. */
export const lobbyAttacks: readonly Attack[] = [
  {
    id: 'lobby-rounds-not-finite',
    attackClass: 9,
    description: '`changeSettings` with `rounds` of `-Infinity`, `NaN`, `1e9`, `2.5` and a string',
    endpoint: 'lobbyTcp',
    expected: [
      'invalid-arguments',
      'invalid-settings',
      'invalid-arguments, invalid-settings',
      'invalid-settings, invalid-arguments',
    ],
    memoryBoundMiB: 32,
    run: nonFiniteRounds,
  },
  {
    id: 'lobby-game-flood',
    attackClass: 9,
    description: 'one player creates up to 300 games',
    endpoint: 'lobbyTcp',
    expected: ['too-many-games', 'limit'],
    memoryBoundMiB: 64,
    timeoutMs: 60_000,
    run: unboundedGameCreation,
  },
  {
    id: 'lobby-control-characters',
    attackClass: 9,
    description: 'a game name and a chat line with ANSI escapes, BEL, NUL and a bidi override',
    endpoint: 'lobbyTcp',
    expected: ['bad-text', 'sanitized'],
    memoryBoundMiB: 32,
    run: controlCharacters,
  },
  {
    id: 'lobby-page-headers',
    attackClass: 10,
    description: 'the lobby page answers without CSP, `frame-ancestors` or `nosniff`',
    endpoint: 'lobbyPage',
    expected: ['headers-set'],
    memoryBoundMiB: 16,
    run: pageHeaders,
  },
];
