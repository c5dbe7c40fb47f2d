import { type Identity, PublicIdentity } from '@msc/identity';
import { nodeNamePattern } from '../game-id.ts';
import { LobbyError } from '../lobby-error.ts';

/*
 * Tickets: what the node a player is connected to gives it to enter a game another node owns.
 * A ticket is `base64url(JSON payload) "." base64url(ed25519 signature)`, signed by the issuing
 * node over a domain-separated message. It names the game, its owner and the owner's epoch, the
 * player's fingerprint and an expiry: the owner refuses it from anyone else, after it expired, for
 * another game, or once the owner registered again under a new epoch.
 *
 * Clocks: the issuer sets the expiry by its clock and the owner checks it by its own, so an expiry
 * further ahead than the lifetime plus a skew allowance (`maxLifetimeMs`) is refused: a ticket
 * cannot be made to live longer by an issuer whose clock runs ahead (or by a made-up expiry). The
 * skew allowance is the most the nodes' clocks may disagree (NTP keeps them within milliseconds).
 */

/** What a ticket says. */
export interface TicketPayload {
  readonly v: 1;
  readonly game: string;
  readonly owner: string;
  readonly ownerEpoch: number;
  /** The fingerprint of the player it was issued to. */
  readonly player: string;
  /** The issuing node's name. */
  readonly issuer: string;
  /** Expiry, ms since the epoch. */
  readonly exp: number;
}

const domain = new TextEncoder().encode('msc-lobby-ticket/1\n');

function signedBytes(payloadText: string): Uint8Array {
  const payload = new TextEncoder().encode(payloadText);
  const message = new Uint8Array(domain.length + payload.length);
  message.set(domain);
  message.set(payload, domain.length);
  return message;
}

/** Signs `payload` with the issuing node's identity. */
export async function issueTicket(identity: Identity, payload: TicketPayload): Promise<string> {
  const payloadText = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = await identity.sign(signedBytes(payloadText));
  return `${payloadText}.${Buffer.from(signature).toString('base64url')}`;
}

/** What the owner checks a ticket against. */
export interface TicketExpectation {
  readonly game: string;
  readonly owner: string;
  /** The owner's epoch now. */
  readonly ownerEpoch: number | undefined;
  /** The fingerprint of the player presenting it (its session's authenticated peer). */
  readonly player: string;
  /**
   * The public key (`ed25519:…`) of node `issuer`, or `undefined` for no such node: first as the
   * owner knows it (`fresh` false: its mirror, no round trip), then, when that knows no such node
   * or its key does not verify, as the directory says now (`fresh` true), so that a mirror lagging
   * behind a node that just joined (or restarted with a new key) never refuses a genuine ticket.
   * Only called with a well-formed node name, after every cheap check passed.
   */
  readonly issuerKey: (issuer: string, fresh: boolean) => Promise<string | undefined> | string | undefined;
  readonly now: number;
  /** The longest a ticket may still live by the owner's clock, ms: the lifetime plus the clock skew allowance. */
  readonly maxLifetimeMs: number;
}

function refuse(why: string): never {
  throw new LobbyError(
    'bad-ticket',
    `expected a valid ticket, but ${why}: ask the node you are connected to for a new one`,
  );
}

/**
 * Checks `ticket` (already matched against the schema's pattern).
 *
 * @throws LobbyError `bad-ticket` saying what is wrong with it
 */
export async function checkTicket(ticket: string, expected: TicketExpectation): Promise<TicketPayload> {
  const dot = ticket.indexOf('.');
  if (dot < 0) refuse('it is not a ticket');
  const payloadText = ticket.slice(0, dot);
  let payload: Partial<TicketPayload>;
  try {
    payload = JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8')) as Partial<TicketPayload>;
  } catch {
    refuse('its payload does not parse');
  }
  if (typeof payload !== 'object' || payload === null || payload.v !== 1)
    refuse('it is of an unknown version');
  if (typeof payload.issuer !== 'string') refuse('it names no issuer');
  // The cheap checks first: a flood of made-up tickets costs no signature check.
  if (payload.game !== expected.game)
    refuse(`it is for game ${String(payload.game).slice(0, 40)}, not ${expected.game}`);
  if (payload.owner !== expected.owner)
    refuse(`it is for node ${String(payload.owner).slice(0, 40)}, not ${expected.owner}`);
  if (payload.player !== expected.player) refuse('it was issued to another player');
  if (typeof payload.exp !== 'number' || !(payload.exp > expected.now)) refuse('it expired');
  if (payload.exp > expected.now + expected.maxLifetimeMs)
    refuse(
      `it expires ${Math.round(payload.exp - expected.now)} ms from now, later than any ticket of this cluster (at most ${expected.maxLifetimeMs} ms, its lifetime plus the clocks' skew allowance): the issuer's clock is ahead of ${expected.owner}'s`,
    );
  if (payload.ownerEpoch !== expected.ownerEpoch)
    refuse(
      `it was issued for epoch ${String(payload.ownerEpoch).slice(0, 20)} of ${expected.owner}, which is now at ${String(expected.ownerEpoch)}`,
    );
  const issuer = payload.issuer;
  const notANode: () => never = () =>
    refuse(`its issuer ${JSON.stringify(issuer.slice(0, 40))} is not a node of this cluster`);
  if (!nodeNamePattern.test(issuer)) notANode();
  const signature = Buffer.from(ticket.slice(dot + 1), 'base64url');
  const message = signedBytes(payloadText);
  const verifies = async (key: string) => {
    try {
      return await PublicIdentity.fromText(key).verify(message, signature);
    } catch {
      return false;
    }
  };
  const known = await expected.issuerKey(issuer, false);
  if (known !== undefined && (await verifies(known))) return payload as TicketPayload;
  // The owner's mirror may lag behind the directory: ask the directory itself before refusing.
  const current = await expected.issuerKey(issuer, true);
  if (current === undefined) notANode();
  if (current === known || !(await verifies(current))) refuse(`its signature is not ${issuer}'s`);
  return payload as TicketPayload;
}
