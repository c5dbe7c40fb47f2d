import {
  type ArgumentValidators,
  isCapability,
  type StandardIssue,
  type StandardResult,
  type StandardSchema,
} from '@msc/eventual';
import { type IGameLauncher, type IJoinedPlayer, type ILobby, slotCount } from './contracts.ts';
import { gameIdPattern } from './game-id.ts';
import { isLobbyError } from './lobby-error.ts';
import { parseSettingsChange } from './settings.ts';
import { checkText, maxChatLength, maxGameNameLength, maxPlayerNameLength } from './text-rules.ts';

/*
 * The argument schemas of the lobby's capabilities (Standard Schema, checked by `proxy(target,
 * { validate })` before a method runs): every field a player sends is checked, and cleaned, here,
 * before the lobby computes anything from it. A call that fails its schema rejects with
 * `ArgumentError` (`invalid-arguments`), whose message names the argument, what was expected and
 * what came; the target never sees it. Each schema returns the arguments the method receives:
 * text in its cleaned form (`text-rules.ts`), settings changes as fresh objects.
 *
 * Ownership: the capabilities inside a call's arguments are the call's. When the arguments fail
 * their schema the method never runs, so nobody else would release them: the schema disposes every
 * capability it finds in the refused list ({@link releaseCapabilitiesIn}) at once, rather than
 * leaving them to garbage collection.
 */

/** One argument's check: its cleaned value, or a sentence saying what is wrong. */
type ArgumentCheck = (value: unknown) => { readonly value: unknown } | { readonly problem: string };

/** An argument list schema: exactly these arguments (optional ones may be missing), in order. */
function argumentList(
  names: readonly string[],
  checks: readonly ArgumentCheck[],
  options: { readonly optional?: number } = {},
): StandardSchema {
  const required = checks.length - (options.optional ?? 0);
  const validate = (value: unknown): StandardResult<unknown[]> => {
    const issues: StandardIssue[] = [];
    const output: unknown[] = [];
    if (!Array.isArray(value) || value.length < required || value.length > checks.length) {
      issues.push({
        message: `expected ${required === checks.length ? required : `${required} to ${checks.length}`} arguments (${names.join(', ')}), got ${Array.isArray(value) ? value.length : 'no list'}`,
      });
    } else {
      value.forEach((argument, index) => {
        const checked = checks[index]!(argument);
        if ('problem' in checked) issues.push({ message: checked.problem, path: [names[index]!] });
        else output.push(checked.value);
      });
    }
    if (issues.length === 0) return { value: output };
    releaseCapabilitiesIn(value, 0);
    return { issues };
  };
  return { '~standard': { version: 1, vendor: 'msc-lobby', validate } };
}

const text =
  (maxLength: number, what: string): ArgumentCheck =>
  (value) => {
    const checked = checkText(value, maxLength, what);
    return 'text' in checked ? { value: checked.text } : checked;
  };

const integer =
  (min: number, max: number, what: string): ArgumentCheck =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? { value }
      : { problem: `expected ${what}: an integer from ${min} to ${max}, got ${describe(value)}` };

const lsn = integer(0, Number.MAX_SAFE_INTEGER, 'an LSN');

const gameId: ArgumentCheck = (value) =>
  typeof value === 'string' && gameIdPattern.test(value)
    ? { value }
    : { problem: `expected a game id like "g12" or "g12.a", got ${describe(value)}` };

/** A client's id of one `createGame` request (retries send the same): 8 to 64 of A-Z, a-z, 0-9, _ and -. */
const requestIdPattern = /^[A-Za-z0-9_-]{8,64}$/;

const requestId: ArgumentCheck = (value) =>
  value === undefined || (typeof value === 'string' && requestIdPattern.test(value))
    ? { value }
    : { problem: `expected a request id of 8 to 64 letters, digits, _ or -, got ${describe(value)}` };

const requiredRequestId: ArgumentCheck = (value) =>
  value === undefined ? { problem: 'expected a request id, got undefined' } : requestId(value);

/** A ticket from `redirect`: base64url payload, `.`, base64url signature (at most 2,048 characters). */
const ticketPattern = /^[A-Za-z0-9_-]{1,1800}\.[A-Za-z0-9_-]{86}$/;

const ticket: ArgumentCheck = (value) =>
  typeof value === 'string' && value.length <= 2048 && ticketPattern.test(value)
    ? { value }
    : { problem: `expected a ticket from redirect(), got ${describe(value)}` };

const settingsChange: ArgumentCheck = (value) => {
  try {
    return { value: parseSettingsChange(value) };
  } catch (error) {
    if (isLobbyError(error)) return { problem: error.message };
    throw error;
  }
};

const capability: ArgumentCheck = (value) =>
  isCapability(value) ? { value } : { problem: `expected a capability, got ${describe(value)}` };

/** `listGames`'s optional page request: `{ after?: string | null, limit?: number }`. */
const pageRequest =
  (maxPageSize: number): ArgumentCheck =>
  (value) => {
    if (value === undefined || value === null) return { value: {} };
    if (typeof value !== 'object' || Array.isArray(value))
      return { problem: `expected a page request { after?, limit? }, got ${describe(value)}` };
    const { after, limit, ...rest } = value as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0)
      return { problem: `expected only "after" and "limit" in a page request, got ${describe(unknown[0])}` };
    if (after !== undefined && after !== null && (typeof after !== 'string' || !gameIdPattern.test(after)))
      return {
        problem: `expected "after" to be a cursor from a previous page (like "g12"), got ${describe(after)}`,
      };
    if (
      limit !== undefined &&
      (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > maxPageSize)
    )
      return {
        problem: `expected "limit" to be an integer from 1 to ${maxPageSize}, got ${describe(limit)}`,
      };
    return {
      value: {
        ...(typeof after === 'string' ? { after } : {}),
        ...(limit !== undefined ? { limit } : {}),
      },
    };
  };

/** The schemas of `ILobby`'s methods. */
export function lobbySchemas(maxPageSize: number): ArgumentValidators<ILobby> {
  return {
    whoAmI: argumentList([], []),
    listGames: argumentList(['page'], [pageRequest(maxPageSize)], { optional: 1 }),
    createGame: argumentList(['name', 'requestId'], [text(maxGameNameLength, 'a game name'), requestId], {
      optional: 1,
    }),
    openGame: argumentList(['id'], [gameId]),
    redirect: argumentList(['id'], [gameId]),
    findCreated: argumentList(['requestId'], [requiredRequestId]),
    redeem: argumentList(['id', 'ticket'], [gameId, ticket]),
  };
}

/** The schemas of `IGameLauncher`'s methods. */
export const launcherSchemas: ArgumentValidators<IGameLauncher> = {
  events: argumentList([], []),
  tryJoin: argumentList(
    ['slot', 'name', 'client'],
    [integer(0, slotCount - 1, 'a slot'), text(maxPlayerNameLength, 'a player name'), capability],
  ),
  changeSettings: argumentList(['seenLsn', 'change'], [lsn, settingsChange]),
  chat: argumentList(['seenLsn', 'text'], [lsn, text(maxChatLength, 'a chat line')]),
  tryLaunch: argumentList(['seenLsn'], [lsn]),
};

/** The schemas of `IJoinedPlayer`'s methods. */
export const membershipSchemas: ArgumentValidators<IJoinedPlayer> = {
  leave: argumentList([], []),
};

/** How deep {@link releaseCapabilitiesIn} looks into refused arguments (arrays and objects). */
const maxReleaseDepth = 16;

/**
 * Disposes every capability in a refused argument list: in the list itself and in the arrays and
 * plain objects inside it, down to {@link maxReleaseDepth} (a deeper one is released by garbage
 * collection, as any dropped reference is).
 */
function releaseCapabilitiesIn(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > maxReleaseDepth) return;
  if (isCapability(value)) {
    value[Symbol.dispose]();
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) releaseCapabilitiesIn(item, depth + 1);
    return;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return;
  for (const key of Object.keys(value))
    releaseCapabilitiesIn((value as Record<string, unknown>)[key], depth + 1);
}

/** A short description of a value for an error message (never the whole of a long string). */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 24 ? `${value.slice(0, 24)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}
