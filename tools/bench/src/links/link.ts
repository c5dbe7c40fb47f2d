/**
 * A link is one end of an ordered, reliable, bidirectional message channel. Every adapter (peer
 * library or floor) is wired over links, so that the same transports and the same delay injection
 * serve all of them: a difference between two libraries on one transport is then the libraries'.
 */

/** Names of the transports a benchmark row can be measured on. `none` is for codec-only rows. */
export type TransportName = 'memory' | 'websocket' | 'tcp' | 'worker' | 'none';

/**
 * One end of a message channel. Messages are delivered in the order they were sent, each exactly once,
 * until the link closes.
 */
export interface Link<Message> {
  /** Sends one message. Sending on a closed link is ignored (the benchmark is tearing down). */
  send(message: Message): void;
  /**
   * Sets the one receiver of incoming messages. Messages that arrive before a receiver is set are
   * kept and delivered when it is set, so a library can attach its handler after connecting.
   */
  onMessage(receiver: (message: Message) => void): void;
  /** Sets a callback run once when the link closes, from either end. */
  onClose(callback: () => void): void;
  /** Closes both directions. Idempotent. */
  close(): void;
}

/** A started listener: makes client links whose server ends are handed to the accept callback. */
export interface Listener<Message> {
  /** Opens a new connection and resolves with its client end once it can carry messages. */
  connect(): Promise<Link<Message>>;
  /** Stops listening and closes every link it made (client and server ends). */
  close(): Promise<void>;
}

/** A way to make connections of one transport kind (in-process channel, TCP, WebSocket). */
export interface Network<Message> {
  /** Which transport rows measured over this network are reported under. */
  readonly transport: TransportName;
  /**
   * Starts a listener (on 127.0.0.1 and an ephemeral port for socket transports). `accept` receives
   * the server end of every connection made later with `connect()`.
   */
  listen(accept: (link: Link<Message>) => void): Promise<Listener<Message>>;
}

/**
 * Shared bookkeeping for link implementations: buffers messages until a receiver is set and runs the
 * close callback once.
 */
export class LinkState<Message> {
  #receiver: ((message: Message) => void) | undefined;
  #pending: Message[] = [];
  #closeCallbacks: Array<() => void> = [];
  /** True once the link has closed; later sends are dropped. */
  closed = false;

  /** Delivers an incoming message now, or keeps it until a receiver is set. */
  deliver(message: Message): void {
    if (this.closed) return;
    if (this.#receiver === undefined) this.#pending.push(message);
    else this.#receiver(message);
  }

  /** Sets the receiver and flushes messages that arrived before it. */
  setReceiver(receiver: (message: Message) => void): void {
    this.#receiver = receiver;
    const pending = this.#pending;
    this.#pending = [];
    for (const message of pending) receiver(message);
  }

  /** Adds a callback for the close; runs it at once if the link is closed already. */
  addCloseCallback(callback: () => void): void {
    if (this.closed) callback();
    else this.#closeCallbacks.push(callback);
  }

  /** Marks the link closed and runs the close callbacks once. Returns false if it was closed already. */
  markClosed(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.#pending = [];
    const callbacks = this.#closeCallbacks;
    this.#closeCallbacks = [];
    for (const callback of callbacks) callback();
    return true;
  }
}
