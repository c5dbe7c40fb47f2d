import { Identity } from '@msc/identity';
import { type GameView, LobbyClient } from '@msc/lobby/client';
import { tcp } from '@msc/transport-tcp';
import { spawnNodeChild } from '../node-child.ts';
import type { Attack, AttackContext } from './attack.ts';
import { sleep } from './raw-socket.ts';

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
 * Takes slot 0 of `game` as `name` and keeps the membership until the attack is over (a membership
 * nobody holds is released, and its slot with it, when the garbage collector finds it).
 */
async function seat(context: AttackContext, game: GameView, name: string): Promise<void> {
  const membership = await game.join(0, name, ignoreLaunch);
  context.defer(() => membership[Symbol.dispose]());
}

/**
 * Class 9: a seated player changes the rounds to `-Infinity` (then `NaN`, `1e9`, `2.5`, a string).
 * Fixed: every field is validated before use: each call is refused at once (`invalid-arguments` from
 * the argument schema, or `invalid-settings`), and the event loop never freezes.
 */
async function nonFiniteRounds(context: AttackContext): Promise<string> {
  const client = await player(context);
  const game = client.createGame('rounds');
  await seat(context, game, 'x');
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
    await seat(context, game, 'x');
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

/**
 * Starts a stalled reader (stalled-lobby-reader.ts) against the target's lobby and waits until it sent
 * its calls and stopped itself; it is killed after the attack whatever happens.
 */
async function stalledReader(context: AttackContext, args: readonly string[]): Promise<void> {
  const child = spawnNodeChild(new URL('./stalled-lobby-reader.ts', import.meta.url), [
    context.target.addresses.lobbyTcp,
    ...args,
  ]);
  context.defer(() => child.kill());
  await child.line('stopping', 30_000);
}

/** The lobby's log lines since the attack started that say a `stalled-N` player disconnected. */
function stalledDisconnects(context: AttackContext): string[] {
  return context.target.logs
    .slice(context.logsSince)
    .filter((line) => /stalled-\d+ .*disconnected/.test(line));
}

/**
 * Names how the stalled sessions ended: `limit` when the server ended every one of them for not reading
 * (its session's `maxBufferedBytes` or the server's output budget), `timeout` when their idle timeout did
 * (they held less than the limit), `ended` for another reason, `up` when some still ran at the deadline.
 */
function stalledOutcome(context: AttackContext, sessions: number): string {
  const lines = stalledDisconnects(context);
  if (lines.length < sessions) return 'up';
  context.note(lines[0] ?? '');
  return lines.every((line) => /limit|output budget|not read|maxBufferedBytes/.test(line))
    ? 'limit'
    : 'ended';
}

/**
 * Class 9: 2 sessions (per scale unit) that each ask for 1,500 full pages of `listGames` (48 open games,
 * about 6 MB of answers per session) and never read. Fixed: `listGames` is rate limited per session
 * (`listGamesPerSecond` / `listGamesBurst`, 20 / 60): past a burst the calls are refused with `limit`, a
 * short answer and no page built, so the burst no longer keeps the target's one thread from the bystander
 * (3,000 page answers did: 5.5 s on the loaded machine, bound 3 s). The stalled sessions then hold at
 * most a burst of pages and stay up; a probe session's own burst of 100 calls shows the refusals. Where a
 * lobby answers every call, what a session leaves unread is bounded instead (`maxBufferedBytes` of 4 MiB,
 * an output budget across sessions): each stalled session is ended with `limit`.
 */
async function listGamesNeverRead(context: AttackContext): Promise<string> {
  // 12 players × 4 open games (the per-player bound) = 48 games with 40-character names.
  for (let creator = 0; creator < 12; creator++) {
    const client = await player(context, `lister${creator}`);
    for (let index = 0; index < 4; index++) {
      await lobbyCode(
        client.createGame(`listed game ${creator}-${index} ${'x'.repeat(24)}`).launcher.whenResolved(),
      );
    }
  }
  const sessions = 2 * context.scale;
  await stalledReader(context, [String(sessions), '1500', 'list']);
  const prober = await player(context, 'list-prober');
  const probed = await Promise.all(
    Array.from({ length: 100 }, () => lobbyCode(prober.listGames({ limit: 50 }))),
  );
  await context.sampleMemory();
  const refused = probed.filter((code) => code === 'limit').length;
  if (refused > 0) {
    context.note(
      `listGames is rate limited per session: ${refused} of a probe's 100 calls refused with limit (so were the stalled sessions' calls past their burst)`,
    );
    return 'limit';
  }
  for (let attempt = 0; attempt < 150 && stalledDisconnects(context).length < sessions; attempt++) {
    await sleep(200);
    if (attempt % 10 === 0) await context.sampleMemory();
  }
  return stalledOutcome(context, sessions);
}

/**
 * Class 9: 3 sessions each open 8 watchers of one game declaring a window of a billion events, and
 * never read; the game's host then chats in bursts of 100 lines of 200 characters, as fast as the
 * target's chat rate limit lets it (600 lines a second there). Fixed: a
 * watcher's backlog is bounded in items and bytes whatever it declared: every stalled watcher is dropped
 * (or its session ended with `limit`), while an honest watcher reads every line.
 */
async function watchersWithHugeWindows(context: AttackContext): Promise<string> {
  const host = await player(context, 'watched-host');
  const game = host.createGame('watched');
  await seat(context, game, 'host');
  await game.until((view) => view.lsn >= 1);
  const reader = (await player(context, 'watched-reader')).openGame(game.gameId);
  await reader.until((view) => view.lsn >= 1);
  // Not scaled: 24 stalled watchers and the honest one stay under the game's 32 (maxWatchersPerGame).
  const sessions = 3;
  const watchers = sessions * 8;
  await stalledReader(context, [String(sessions), '8', 'watch', game.gameId]);
  const ended = () => {
    const logged = context.target.logs.slice(context.logsSince);
    return (
      logged.filter((line) => /dropped a watcher/.test(line)).length + 8 * stalledDisconnects(context).length
    );
  };
  const line = 'x'.repeat(200);
  let lsn = game.lsn;
  // The host floods without waiting for the honest reader: the target's chat rate limit (600 lines a
  // second here) is what keeps the reader within reach; calls past it are refused with `limit`.
  const seen = lsn;
  const started = performance.now();
  for (let batch = 0; performance.now() - started < 45_000 && ended() < watchers; batch++) {
    const said = await Promise.allSettled(Array.from({ length: 100 }, () => game.launcher.chat(seen, line)));
    for (const outcome of said) if (outcome.status === 'fulfilled') lsn = Math.max(lsn, outcome.value);
    if (batch % 10 === 0) await context.sampleMemory();
  }
  await reader.until((view) => view.lsn >= lsn, 20_000);
  if (ended() < watchers) return 'up';
  const dropped = context.target.logs
    .slice(context.logsSince)
    .find((logged) => /dropped a watcher/.test(logged));
  context.note(dropped ?? stalledDisconnects(context)[0] ?? '');
  return 'limit';
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
    id: 'lobby-list-never-read',
    attackClass: 9,
    description: '2 sessions each ask for 1,500 full pages of `listGames` (48 games) and never read',
    endpoint: 'lobbyTcp',
    expected: ['limit'],
    memoryBoundMiB: 200,
    latencyBoundMs: 3_000,
    timeoutMs: 60_000,
    run: listGamesNeverRead,
  },
  {
    id: 'lobby-watchers-huge-window',
    attackClass: 9,
    description:
      '24 watchers of one game declare a window of a billion events and never read, while its host chats',
    endpoint: 'lobbyTcp',
    expected: ['limit'],
    memoryBoundMiB: 200,
    timeoutMs: 60_000,
    run: watchersWithHugeWindows,
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
