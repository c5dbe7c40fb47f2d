import { createHash } from 'node:crypto';
import { PublicIdentity } from '@msc/identity';
import type { GameSummary } from '../contracts.ts';
import { gameIdPattern, nodeNamePattern, parseGameId } from '../game-id.ts';
import { type GameSettings, type Mark, settingsLimits } from '../settings.ts';
import { checkText, maxGameNameLength, maxPlayerNameLength } from '../text-rules.ts';

/*
 * What the directory holds, and how what is read back from Redis is checked. Redis is shared
 * infrastructure that any node (or anyone who reaches it) writes: an entry is hostile until it
 * parses here, and one that does not is ignored and counted by the caller, never thrown out of a
 * handler.
 */

/** A game as the directory lists it: the summary, its owner node and the owner's epoch. */
export interface GameEntry extends GameSummary {
  readonly owner: string;
  readonly epoch: number;
  /** The hash of its creator's fingerprint and request id (see `requestKey`), when created with one. */
  readonly request?: string;
}

/** A node as the directory advertises it. */
export interface NodeRecord {
  readonly name: string;
  readonly epoch: number;
  /** Where players dial it (`tcp:host:port`). */
  readonly address: string;
  /** Where browsers dial it (`ws://host:port/msc` or `wss://…`), when it serves them. */
  readonly webSocket?: string;
  /** Its identity's fingerprint: players pin the owner's session to it. */
  readonly fingerprint: string;
  /** Its identity's public key (`ed25519:…`): tickets it issues are checked with it. */
  readonly publicKey: string;
}

/** The longest entry or record read (bytes of JSON): anything longer is ignored unparsed. */
export const maxEntryLength = 4096;

const addressPattern = /^tcp:(?:\[[0-9a-fA-F:.]{2,45}\]|[A-Za-z0-9.-]{1,253}):[1-9][0-9]{0,4}$/;
/** A WebSocket address a page may dial and name in its CSP: no space, quote, `;` or `,`. */
export const webSocketAddressPattern =
  /^wss?:\/\/(?:\[[0-9a-fA-F:.]{2,45}\]|[A-Za-z0-9.-]{1,253}):[1-9][0-9]{0,4}(?:\/[A-Za-z0-9._~-]{1,64}){0,4}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.length > maxEntryLength) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseSettings(value: unknown): GameSettings | undefined {
  if (!isObject(value)) return undefined;
  const { rounds, boardSize, starters } = value;
  if (!isInteger(rounds, settingsLimits.minRounds, settingsLimits.maxRounds)) return undefined;
  if (!isInteger(boardSize, settingsLimits.minBoardSize, settingsLimits.maxBoardSize)) return undefined;
  if (!Array.isArray(starters) || starters.length !== rounds) return undefined;
  if (!starters.every((mark) => mark === 'X' || mark === 'O')) return undefined;
  return { rounds, boardSize, starters: [...(starters as Mark[])] };
}

function cleanField(value: unknown, maxLength: number): string | undefined {
  const checked = checkText(value, maxLength, 'text');
  // Only text that was clean already: a node that wrote otherwise is not one of ours.
  return 'text' in checked && checked.text === value ? checked.text : undefined;
}

/** The entry `text` holds (for game `id`), or `undefined` when it does not parse as one. */
export function parseGameEntry(id: string, text: unknown): GameEntry | undefined {
  const value = parseJson(text);
  if (!isObject(value)) return undefined;
  const { owner, epoch, name, createdBy, lsn, settings, openSlots, request } = value;
  if (request !== undefined && (typeof request !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(request)))
    return undefined;
  if (value.id !== id || typeof id !== 'string' || !gameIdPattern.test(id)) return undefined;
  if (typeof owner !== 'string' || !nodeNamePattern.test(owner) || parseGameId(id)?.node !== owner)
    return undefined;
  if (!isInteger(epoch, 1, Number.MAX_SAFE_INTEGER) || !isInteger(lsn, 0, Number.MAX_SAFE_INTEGER))
    return undefined;
  const cleanName = cleanField(name, maxGameNameLength);
  const cleanCreator = cleanField(createdBy, maxPlayerNameLength);
  const parsedSettings = parseSettings(settings);
  if (cleanName === undefined || cleanCreator === undefined || parsedSettings === undefined) return undefined;
  if (!Array.isArray(openSlots) || openSlots.length > 4) return undefined;
  if (
    !openSlots.every((slot, index) => isInteger(slot, 0, 3) && (index === 0 || slot > openSlots[index - 1]))
  )
    return undefined;
  return {
    id,
    owner,
    epoch,
    name: cleanName,
    createdBy: cleanCreator,
    lsn,
    settings: parsedSettings,
    openSlots: [...(openSlots as number[])],
    ...(typeof request === 'string' ? { request } : {}),
  };
}

/**
 * What the directory says of a creation request: a hash of the creator's fingerprint and request
 * id (Redis learns neither), 22 base64url characters.
 */
export function requestKey(fingerprint: string, requestId: string): string {
  return createHash('sha256')
    .update(`msc-lobby-request/1\n${fingerprint}\n${requestId}`)
    .digest('base64url')
    .slice(0, 22);
}

/** The record `text` holds (for node `name`), or `undefined` when it does not parse as one. */
export function parseNodeRecord(name: string, text: unknown): NodeRecord | undefined {
  const value = parseJson(text);
  if (!isObject(value) || !nodeNamePattern.test(name)) return undefined;
  const { epoch, address, fingerprint, publicKey, webSocket } = value;
  if (value.name !== name || !isInteger(epoch, 1, Number.MAX_SAFE_INTEGER)) return undefined;
  if (typeof address !== 'string' || !addressPattern.test(address)) return undefined;
  if (webSocket !== undefined && (typeof webSocket !== 'string' || !webSocketAddressPattern.test(webSocket)))
    return undefined;
  if (typeof fingerprint !== 'string' || typeof publicKey !== 'string' || publicKey.length > 100)
    return undefined;
  try {
    // The fingerprint must be the key's: a record cannot pin players to one key and sign with another.
    if (PublicIdentity.fromText(publicKey).fingerprint !== fingerprint) return undefined;
  } catch {
    return undefined;
  }
  return {
    name,
    epoch,
    address,
    fingerprint,
    publicKey,
    ...(typeof webSocket === 'string' ? { webSocket } : {}),
  };
}

/** The JSON of `summary` as an entry of `owner` under `epoch`. */
export function gameEntryText(summary: GameSummary, owner: string, epoch: number, request?: string): string {
  const entry: GameEntry = { ...summary, owner, epoch, ...(request !== undefined ? { request } : {}) };
  return JSON.stringify(entry);
}

/** The JSON of a node record without its epoch, as the register script completes it (`{"epoch":N,` + this). */
export function nodeRecordTail(record: Omit<NodeRecord, 'epoch'>): string {
  return JSON.stringify({
    name: record.name,
    address: record.address,
    fingerprint: record.fingerprint,
    publicKey: record.publicKey,
    ...(record.webSocket !== undefined ? { webSocket: record.webSocket } : {}),
  }).slice(1);
}
