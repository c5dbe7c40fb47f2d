import { type Proxy, proxy } from '@msc/eventual';
import type {
  ChatLine,
  GamePhase,
  IClientLauncher,
  IGameLauncher,
  IJoinedPlayer,
  IPlayer,
  LauncherEvent,
  LaunchInfo,
  SlotView,
} from '../contracts.ts';
import { slotRole } from '../contracts.ts';
import type { GameSettings, SettingsChange } from '../settings.ts';

/**
 * Chat lines a view keeps (the newest): as many as the server's snapshot carries. A game open for
 * hours at the allowed chat rate must not grow every watching page and terminal without bound.
 */
export const chatHistory = 50;

/** Called when a game this client joined launches: `player` is owned by the callee (dispose it when done). */
export type LaunchHandler = (player: Proxy<IPlayer>, info: LaunchInfo) => void;

/**
 * The client's launcher: the capability a client hands over in `tryJoin`. The server calls it once
 * the game launches, with the seat of the slot joined.
 */
export class ClientLauncher implements IClientLauncher {
  readonly #onLaunch: LaunchHandler;
  constructor(onLaunch: LaunchHandler) {
    this.#onLaunch = onLaunch;
  }
  async launch(player: Proxy<IPlayer>, info: LaunchInfo): Promise<void> {
    // Returns at once: the game is played from the client's own activity, not inside this call,
    // so the handler gets a copy of `player` (the argument is released when this call settles).
    this.#onLaunch(proxy(player), info);
  }
}

/**
 * A client's live view of one game's launcher: it reads the launcher's events, keeps the state they
 * describe and the latest LSN seen, and sends actions stamped with that LSN. All actions go through
 * one launcher proxy, so they reach the server in the order they were made (instance order): a
 * launch can never overtake a settings change made before it.
 */
export class GameView implements Disposable {
  /** The launcher capability (this view's only proxy to it). */
  readonly launcher: Proxy<IGameLauncher>;
  #lsn = -1;
  #gameId = '';
  #gameName = '';
  #phase: GamePhase = 'open';
  #settings: GameSettings | undefined;
  #slots: SlotView[] = [];
  readonly #chat: ChatLine[] = [];
  readonly #listeners = new Set<(event: LauncherEvent, view: GameView) => void>();
  readonly #waiters = new Set<() => void>();
  #error: unknown;
  #ended = false;
  /** Settles when the event stream ended: after `launched` or `closed`, or with the error that ended it. */
  readonly ended: Promise<void>;

  /** Takes ownership of `launcher` and starts reading its events. */
  constructor(launcher: Proxy<IGameLauncher>) {
    this.launcher = launcher;
    this.ended = this.#read();
    // Observers use `until()`/`ended`; an unobserved failure must not become an unhandled rejection.
    this.ended.catch(() => {});
  }

  /** The latest LSN seen (-1 before the snapshot arrived). */
  get lsn(): number {
    return this.#lsn;
  }
  get gameId(): string {
    return this.#gameId;
  }
  get gameName(): string {
    return this.#gameName;
  }
  get phase(): GamePhase {
    return this.#phase;
  }
  get settings(): GameSettings | undefined {
    return this.#settings;
  }
  get slots(): readonly SlotView[] {
    return this.#slots;
  }
  /** The newest chat lines, oldest first: at most {@link chatHistory}. */
  get chat(): readonly ChatLine[] {
    return this.#chat;
  }
  /** The free slots. */
  get openSlots(): number[] {
    return this.#slots.filter((slot) => slot.name === null).map((slot) => slot.slot);
  }

  /** Calls `listener` for every event from now on; returns how to stop. */
  onEvent(listener: (event: LauncherEvent, view: GameView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves once `condition` holds for this view (checked now and after every event).
   *
   * @throws the stream's error, or Error when the stream ends (or `timeoutMs` passes, default 10 s) first
   */
  until(condition: (view: GameView) => boolean, timeoutMs = 10_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (condition(this)) return finish(resolve);
        if (this.#ended) {
          return finish(() =>
            reject(this.#error ?? new Error(`the launcher's events ended (game ${this.#phase})`)),
          );
        }
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting on game ${this.#gameId}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /**
   * Tries to take `slot` as `name`. Resolves with the membership (dispose it, or call `leave()`, to
   * give the slot up); rejects with `LobbyError` `slot-taken` when someone else won it.
   */
  async join(slot: number, name: string, onLaunch: LaunchHandler): Promise<Proxy<IJoinedPlayer>> {
    const client = proxy<IClientLauncher>(new ClientLauncher(onLaunch));
    const result = this.launcher.tryJoin(slot, name, client);
    // The launcher holds its own copy of `client` (while the slot is held); ours can go.
    client[Symbol.dispose]();
    try {
      // A call result is thenable: awaiting it gives a proxy of its own for the capability. Keep
      // that one and release the result, so that disposing the membership really drops the slot
      // (returning the result itself from this async function would leave it to the garbage collector).
      const membership = (await result) as Proxy<IJoinedPlayer>;
      return membership;
    } finally {
      result[Symbol.dispose]();
    }
  }

  /** Says `text`, stamped with the latest LSN seen. Resolves with the line's LSN. */
  say(text: string): Promise<number> {
    return this.launcher.chat(this.#lsn, text);
  }

  /** Changes a setting, stamped with the latest LSN seen. Resolves with the change's LSN. */
  change(change: SettingsChange): Promise<number> {
    return this.launcher.changeSettings(this.#lsn, change);
  }

  /** Tries to launch with the latest LSN seen; rejects with `stale-lsn` if there is a change not seen yet. */
  launch(): Promise<void> {
    return this.launcher.tryLaunch(this.#lsn);
  }

  /** Releases the launcher (slots joined through it stay held by their memberships). */
  [Symbol.dispose](): void {
    this.launcher[Symbol.dispose]();
  }

  async #read(): Promise<void> {
    try {
      for await (const event of this.launcher.events()) {
        this.#apply(event);
        for (const listener of this.#listeners) listener(event, this);
        for (const waiter of [...this.#waiters]) waiter();
      }
    } catch (error) {
      this.#error = error;
      throw error;
    } finally {
      this.#ended = true;
      for (const waiter of [...this.#waiters]) waiter();
    }
  }

  #apply(event: LauncherEvent): void {
    this.#lsn = event.lsn;
    switch (event.kind) {
      case 'snapshot':
        this.#gameId = event.gameId;
        this.#gameName = event.gameName;
        this.#phase = event.phase;
        this.#settings = event.settings;
        this.#slots = event.slots.slice();
        this.#addChat(...event.chat);
        break;
      case 'joined':
        this.#setSlot({
          slot: event.slot,
          role: slotRole(event.slot),
          name: event.name,
          fingerprint: event.fingerprint,
        });
        break;
      case 'left':
        this.#setSlot({ slot: event.slot, role: slotRole(event.slot), name: null, fingerprint: null });
        break;
      case 'settings':
        this.#settings = event.settings;
        break;
      case 'chat':
        this.#addChat({ lsn: event.lsn, from: event.from, text: event.text, seenLsn: event.seenLsn });
        break;
      case 'launched':
        this.#phase = 'launched';
        break;
      case 'closed':
        this.#phase = 'closed';
        break;
    }
  }

  #addChat(...lines: ChatLine[]): void {
    this.#chat.push(...lines);
    if (this.#chat.length > chatHistory) this.#chat.splice(0, this.#chat.length - chatHistory);
  }

  #setSlot(view: SlotView): void {
    this.#slots = this.#slots.map((slot) => (slot.slot === view.slot ? view : slot));
  }
}
