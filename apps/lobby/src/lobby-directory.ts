import type { GamePage, GamePageRequest, GameRedirect } from './contracts.ts';
import type { LauncherGame, PeerInfo } from './launcher-game.ts';

/** How a creation request's reservation went: this node may create the game, or the request has one. */
export type ReserveOutcome =
  | { readonly kind: 'reserved' }
  | { readonly kind: 'existing'; readonly game: string };

/**
 * What a {@link Lobby} tells and asks a cluster's directory (`src/cluster/`). A single-process
 * lobby has none. Every method is prompt: the directory answers from its mirror and publishes in
 * the background, so Redis is never on the path of a move or a join.
 */
export interface LobbyDirectory {
  /** The suffix of this node's game ids (`.a` for node `a`). */
  readonly idSuffix: string;
  /** A game of this node was created or changed (a new LSN). */
  gameChanged(game: LauncherGame): void;
  /** A game of this node was created by `fingerprint` with `requestId` (advertised hashed, with the game). */
  gameRequested(game: LauncherGame, fingerprint: string, requestId: string): void;
  /** The id of an open game another node's player `fingerprint` created with `requestId`, as the mirror knows. */
  createdElsewhere(fingerprint: string, requestId: string): string | undefined;
  /**
   * Reserves creation request `requestId` of player `fingerprint` for game `id` of this node, about
   * to be created (see `cluster/request-reservations.ts`): `reserved` (create it), or the game the
   * request already has. `undefined` while the directory is known to be unreachable: create it
   * without (idempotent on this node only). Never creates anything itself.
   *
   * @throws LobbyError (as a rejection) `directory-unavailable`, `no-such-game`: create nothing
   */
  reserve(fingerprint: string, requestId: string, id: string): Promise<ReserveOutcome> | undefined;
  /** The game `id` reserved for was not created after all: give its reservation up. */
  release(id: string): void;
  /** A game of this node left the list (launched or closed). */
  gameUnlisted(game: LauncherGame): void;
  /** One page of every node's open games, this node's `local` ones as they are now. */
  listGames(page: GamePageRequest, local: readonly LauncherGame[], limit: number): GamePage;
  /**
   * Whether another node owns `id` as far as the mirror knows.
   */
  ownedElsewhere(id: string): boolean;
  /**
   * A redirect to the owner of `id` with a ticket for `peer`.
   *
   * @throws LobbyError `no-such-game`, `directory-unavailable`
   */
  redirect(id: string, peer: PeerInfo): Promise<GameRedirect>;
  /**
   * Checks a ticket presented by `peer` for game `id` of this node.
   *
   * @throws LobbyError `bad-ticket`
   */
  checkTicket(id: string, ticket: string, peer: PeerInfo): Promise<void>;
}
