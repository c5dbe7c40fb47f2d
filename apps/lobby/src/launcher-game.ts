import type { Proxy, Sequence } from '@msc/eventual';
import { sequence } from '@msc/eventual';
import {
  type ChatLine,
  type GamePhase,
  type GameSummary,
  type IClientLauncher,
  type LauncherEvent,
  type SlotView,
  slotCount,
  slotRole,
} from './contracts.ts';
import { LobbyError } from './lobby-error.ts';
import type { PlayerConnection } from './player-connection.ts';
import {
  applySettingsChange,
  defaultSettings,
  type GameSettings,
  parseSettingsChange,
  type SettingsChange,
  settingsFields,
} from './settings.ts';
import { checkText, maxChatLength, maxPlayerNameLength } from './text-rules.ts';
import { type BacklogBudget, eventSize, Watcher } from './watcher-backlog.ts';

/** Who acts through a launcher: the authenticated peer behind it. */
export interface PeerInfo {
  readonly name: string;
  readonly fingerprint: string;
  /**
   * The connection of the session acting, when the server offers resumption: the seats this session
   * holds once a game launches follow it, so the other seats see it reconnecting.
   */
  readonly connection?: PlayerConnection | undefined;
  /** The transport of the peer's session (`tcp`, `ws`, `memory`): a redirect names the owner's address on it. */
  readonly transport?: string | undefined;
}

/** A held slot: the membership object, and the client to launch. */
export interface SlotHolder {
  readonly slot: number;
  readonly name: string;
  readonly fingerprint: string;
  /** The client's launcher; the game owns this reference while the slot is held. */
  readonly client: Proxy<IClientLauncher>;
  /** The token of the launcher the slot was joined through (chat and settings act as it). */
  readonly via: object;
  readonly membership: Membership;
  /** The connection of the session that joined (see {@link PeerInfo.connection}). */
  readonly connection: PlayerConnection | undefined;
}

/** The state of one membership (the object behind an `IJoinedPlayer`). */
export interface Membership {
  /** Whether it still holds its slot. */
  readonly active: boolean;
}

/** What a game needs from its lobby. */
export interface LauncherGameHooks {
  /** Called before the game commits to launching; throws (LobbyError `limit`) to refuse. */
  beforeLaunch(game: LauncherGame): void;
  /** Called before `peer` takes `slot`; throws (LobbyError `limit`) to refuse. */
  beforeJoin?(game: LauncherGame, peer: PeerInfo, slot: number): void;
  /** The game launched: start it with these holders (the game hands their client references over). */
  launch(game: LauncherGame, holders: readonly SlotHolder[]): Promise<void>;
  /** The game closed before launch, or launched: take it off the list. */
  unlist(game: LauncherGame): void;
  /** A watcher was dropped for falling behind (LobbyError `limit`). */
  watcherDropped?(game: LauncherGame, error: LobbyError): void;
  /** The game's state changed (every new LSN): what its summary says may differ now. */
  changed?(game: LauncherGame): void;
}

/** How many chat lines a snapshot carries. */
const chatHistory = 50;

/**
 * One unlaunched game: its slots, settings, chat and the log of changes (RPC2's launcher).
 *
 * Ordering: all methods that change state are prompt (no `await` between check and change), and the
 * launcher's callers reach it through proxies, whose calls are dispatched one at a time at the top of
 * a turn. So dispatch order is a total order of changes, and the LSN is simply the position in it.
 * That is why joining is race-free with no lock: the first `tryJoin` dispatched for a free slot
 * takes it, every later one sees it taken.
 */
export class LauncherGame {
  readonly id: string;
  readonly name: string;
  readonly createdBy: string;
  readonly #hooks: LauncherGameHooks;
  #lsn = 0;
  #phase: GamePhase = 'open';
  #settings: GameSettings = defaultSettings;
  readonly #slots: (SlotHolder | undefined)[] = Array.from({ length: slotCount }, () => undefined);
  readonly #chat: ChatLine[] = [];
  /** Per settings field: the LSN of its last change and the launcher that made it. */
  readonly #lastChange = new Map<string, { readonly lsn: number; readonly via: object }>();
  readonly #watchers = new Set<Watcher>();
  readonly #budget: BacklogBudget;
  /** Launchers (facets) alive for this game: with none and no held slot, nobody can reach it. */
  #launchers = 0;

  /**
   * @param budget - the lobby's limits and the count of what all its watchers hold
   */
  constructor(id: string, name: string, createdBy: string, hooks: LauncherGameHooks, budget: BacklogBudget) {
    this.id = id;
    this.name = name;
    this.createdBy = createdBy;
    this.#hooks = hooks;
    this.#budget = budget;
  }

  get lsn(): number {
    return this.#lsn;
  }

  get phase(): GamePhase {
    return this.#phase;
  }

  get settings(): GameSettings {
    return this.#settings;
  }

  /** The holders of the slots (for diagnostics). */
  get holders(): readonly SlotHolder[] {
    return this.#slots.filter((holder) => holder !== undefined);
  }

  summary(): GameSummary {
    return {
      id: this.id,
      name: this.name,
      createdBy: this.createdBy,
      lsn: this.#lsn,
      settings: this.#settings,
      openSlots: this.#slots.flatMap((holder, slot) => (holder === undefined ? [slot] : [])),
    };
  }

  /** A new launcher for this game exists. */
  launcherOpened(): void {
    this.#launchers++;
  }

  /** A launcher was released by its last holder. */
  launcherReleased(): void {
    this.#launchers--;
    this.#closeIfUnreachable();
  }

  /**
   * A new watcher: the snapshot now, then every change. Ends after `launched` or `closed`.
   *
   * @param key - the player (fingerprint) watching: counted against its shares of the game's and
   *   the lobby's places; in-process callers without one count only against the totals
   * @throws LobbyError `limit` when this game (`maxWatchersPerGame`), the lobby (`maxWatchers`) or
   *   the player (`maxWatchersPerGamePerPlayer`, `maxWatchersPerPlayer`) has as many watchers as it allows
   */
  watch(key?: string): Sequence<LauncherEvent> {
    if (this.#phase === 'open') this.#checkGamePlaces(key);
    this.#checkLobbyPlaces(key);
    const [events, writer] = sequence<LauncherEvent>({ capacity: 64 });
    const watcher = new Watcher(writer, this.#budget, (ended) => this.#watchers.delete(ended), key);
    const snapshot: LauncherEvent = {
      kind: 'snapshot',
      lsn: this.#lsn,
      gameId: this.id,
      gameName: this.name,
      phase: this.#phase,
      settings: this.#settings,
      slots: this.#slotViews(),
      chat: this.#chat.slice(-chatHistory),
    };
    try {
      watcher.write(snapshot, eventSize(snapshot));
    } catch (error) {
      watcher.end(error);
      throw error;
    }
    if (this.#phase === 'open') this.#watchers.add(watcher);
    else watcher.end();
    return events;
  }

  /**
   * Claims `slot` for `name`; race-free because it is prompt (see the class comment).
   * Takes ownership of `client` when it succeeds (the caller keeps it when this throws).
   */
  join(
    via: object,
    peer: PeerInfo,
    slot: number,
    name: string,
    client: Proxy<IClientLauncher>,
    membership: Membership,
  ): SlotHolder {
    this.#checkOpen();
    if (!Number.isInteger(slot) || slot < 0 || slot >= slotCount) {
      throw new LobbyError('bad-slot', `expected a slot from 0 to ${slotCount - 1}, got ${String(slot)}`);
    }
    const playerName = checkedText(name, maxPlayerNameLength, 'a player name');
    const holder = this.#slots[slot];
    if (holder !== undefined) {
      throw new LobbyError('slot-taken', `expected slot ${slot} to be free, but ${holder.name} holds it`);
    }
    this.#hooks.beforeJoin?.(this, peer, slot);
    const taken: SlotHolder = {
      slot,
      name: playerName,
      fingerprint: peer.fingerprint,
      client,
      via,
      membership,
      connection: peer.connection,
    };
    this.#slots[slot] = taken;
    this.#emit({ kind: 'joined', lsn: ++this.#lsn, slot, name: playerName, fingerprint: peer.fingerprint });
    return taken;
  }

  /** A membership ended (`leave()`, or its last reference went): frees its slot while the game is open. */
  release(holder: SlotHolder, why: 'left' | 'released'): void {
    if (this.#slots[holder.slot] !== holder) return;
    this.#slots[holder.slot] = undefined;
    holder.client[Symbol.dispose]();
    if (this.#phase !== 'open') return;
    this.#emit({ kind: 'left', lsn: ++this.#lsn, slot: holder.slot, name: holder.name, why });
    this.#closeIfUnreachable();
  }

  /** Applies a settings change made through the launcher `via`, which saw `seenLsn`. */
  changeSettings(via: object, seenLsn: number, change: SettingsChange): number {
    const speaker = this.#speaker(via);
    this.#checkSeen(seenLsn);
    // Validate before computing anything from the change (settingsFields loops over its rounds).
    const checked = parseSettingsChange(change);
    // A change conflicts when someone else changed what it depends on after what the caller saw;
    // the caller's own earlier changes never conflict (it may pipeline dependent changes).
    const fields = settingsFields(this.#settings, checked);
    for (const field of [...fields.reads, ...fields.writes]) {
      const last = this.#lastChange.get(field);
      if (last !== undefined && last.lsn > seenLsn && last.via !== via) {
        throw new LobbyError(
          'conflict',
          `expected no change to ${field} by others after LSN ${seenLsn}, but it changed at LSN ${last.lsn}`,
        );
      }
    }
    const settings = applySettingsChange(this.#settings, checked);
    const lsn = ++this.#lsn;
    for (const field of fields.writes) this.#lastChange.set(field, { lsn, via });
    this.#settings = settings;
    this.#emit({ kind: 'settings', lsn, by: speaker, change: checked, settings });
    return lsn;
  }

  /** Adds a chat line said through the launcher `via`, which saw `seenLsn`. */
  chat(via: object, seenLsn: number, text: string): number {
    const from = this.#speaker(via);
    this.#checkSeen(seenLsn);
    const line = checkedText(text, maxChatLength, 'a chat line');
    const lsn = ++this.#lsn;
    this.#chat.push({ lsn, from, text: line, seenLsn });
    if (this.#chat.length > chatHistory * 2) this.#chat.splice(0, this.#chat.length - chatHistory);
    this.#emit({ kind: 'chat', lsn, from, text: line, seenLsn });
    return lsn;
  }

  /**
   * Launches if `seenLsn` is the latest LSN. The decision is prompt (so no change can slip in
   * between the check and the launch); starting the game then takes as long as it takes.
   */
  async launch(via: object, seenLsn: number): Promise<void> {
    const by = this.#speaker(via);
    this.#checkSeen(seenLsn);
    if (seenLsn !== this.#lsn) {
      throw new LobbyError(
        'stale-lsn',
        `expected the latest LSN ${this.#lsn}, got ${seenLsn}: there are changes you have not seen`,
      );
    }
    if (this.#slots[0] === undefined || this.#slots[1] === undefined) {
      throw new LobbyError('not-enough-players', 'expected both X (slot 0) and O (slot 1) to be held');
    }
    this.#hooks.beforeLaunch(this);
    this.#phase = 'launched';
    this.#emit({ kind: 'launched', lsn: ++this.#lsn, by });
    this.#endWatchers();
    this.#hooks.unlist(this);
    const holders = this.holders;
    // The slots are now the running game's: the holders' client references move to the launch.
    this.#slots.fill(undefined);
    await this.#hooks.launch(this, holders);
  }

  /** Closes the game before launch (the lobby is shutting down, or nobody can reach it any more). */
  close(reason: string): void {
    if (this.#phase !== 'open') return;
    this.#phase = 'closed';
    this.#emit({ kind: 'closed', lsn: ++this.#lsn, reason });
    this.#endWatchers();
    for (const holder of this.#slots) holder?.client[Symbol.dispose]();
    this.#slots.fill(undefined);
    this.#hooks.unlist(this);
  }

  /**
   * One key may hold only its share of this game's places, so that one player cannot take them all
   * and shut everyone else out of the game. A key that holds a slot is not refused by the game's
   * total: strangers filling it cannot keep the game's own players from watching it.
   */
  #checkGamePlaces(key: string | undefined): void {
    const { maxWatchersPerGame, maxWatchersPerGamePerPlayer } = this.#budget.limits;
    const seated = key !== undefined && this.#slots.some((holder) => holder?.fingerprint === key);
    if (!seated && this.#watchers.size >= maxWatchersPerGame) {
      throw new LobbyError(
        'limit',
        `expected fewer than ${maxWatchersPerGame} watchers of game ${this.id} (maxWatchersPerGame), but it has that many: release a launcher's events first`,
      );
    }
    if (key === undefined) return;
    const mine = this.#watchersOf(key);
    if (mine >= maxWatchersPerGamePerPlayer) {
      throw new LobbyError(
        'limit',
        `expected a player to watch game ${this.id} fewer than ${maxWatchersPerGamePerPlayer} times at once (maxWatchersPerGamePerPlayer), but you have ${mine} event streams open on it: release one first`,
      );
    }
  }

  #checkLobbyPlaces(key: string | undefined): void {
    const { maxWatchers, maxWatchersPerPlayer } = this.#budget.limits;
    if (this.#budget.watchers.size >= maxWatchers) {
      throw new LobbyError(
        'limit',
        `expected fewer than ${maxWatchers} watchers in the lobby (maxWatchers), but it has that many: try again later`,
      );
    }
    const mine = key === undefined ? 0 : this.#budget.watchersOf(key);
    if (mine >= maxWatchersPerPlayer) {
      throw new LobbyError(
        'limit',
        `expected a player to have fewer than ${maxWatchersPerPlayer} event streams open in the lobby (maxWatchersPerPlayer), but you have ${mine}: release the events of games you no longer watch`,
      );
    }
  }

  #watchersOf(key: string): number {
    let count = 0;
    for (const watcher of this.#watchers) if (watcher.key === key) count++;
    return count;
  }

  #closeIfUnreachable(): void {
    if (
      this.#phase === 'open' &&
      this.#launchers <= 0 &&
      this.#slots.every((holder) => holder === undefined)
    ) {
      this.close('nobody is left in the game');
    }
  }

  #speaker(via: object): string {
    this.#checkOpen();
    const holder = this.#slots.find((candidate) => candidate?.via === via);
    if (holder === undefined)
      throw new LobbyError('not-joined', 'expected a launcher that holds a slot of this game');
    return holder.name;
  }

  #checkOpen(): void {
    if (this.#phase !== 'open')
      throw new LobbyError('game-closed', `expected an open game, but it is ${this.#phase}`);
  }

  #checkSeen(seenLsn: number): void {
    if (!Number.isInteger(seenLsn) || seenLsn < 0 || seenLsn > this.#lsn) {
      throw new LobbyError('bad-lsn', `expected an LSN from 0 to ${this.#lsn}, got ${String(seenLsn)}`);
    }
  }

  #slotViews(): SlotView[] {
    return this.#slots.map((holder, slot) => ({
      slot,
      role: slotRole(slot),
      name: holder?.name ?? null,
      fingerprint: holder?.fingerprint ?? null,
    }));
  }

  #emit(event: LauncherEvent): void {
    this.#hooks.changed?.(this);
    if (this.#watchers.size === 0) return;
    const size = eventSize(event);
    for (const watcher of this.#watchers) {
      try {
        watcher.write(event, size);
      } catch (error) {
        // Cancelled by its consumer (or its session ended), or too far behind: stop writing to it.
        this.#watchers.delete(watcher);
        watcher.end(error);
        if (error instanceof LobbyError) this.#hooks.watcherDropped?.(this, error);
      }
    }
  }

  #endWatchers(): void {
    for (const watcher of this.#watchers) watcher.end();
    this.#watchers.clear();
  }
}

/** Text cleaned by the lobby's text rules (the schemas did this already for calls through proxies). */
function checkedText(text: unknown, maxLength: number, what: string): string {
  const checked = checkText(text, maxLength, what);
  if ('problem' in checked) throw new LobbyError('bad-text', checked.problem);
  return checked.text;
}
