import type { ChildProcess } from 'node:child_process';
import type { IpcChannelLike } from './ipc-channel-like.ts';

/**
 * The parent's end of a child's IPC channel, holding outgoing messages until `open()`. Node drops IPC messages
 * that reach a child before it listens, and a SIP module listens only once its code has loaded and called
 * `runSip()`, which then says `ready`. Until then the session's first frames wait here, in order.
 */
export class GatedChannel implements IpcChannelLike {
  readonly #child: ChildProcess;
  #held: { message: unknown; callback: (error: Error | null) => void }[] | undefined = [];

  /** @param child a child process started with an IPC channel */
  constructor(child: ChildProcess) {
    this.#child = child;
  }

  get connected(): boolean {
    return this.#child.connected;
  }

  send(message: unknown, callback: (error: Error | null) => void): boolean {
    if (this.#held !== undefined) {
      this.#held.push({ message, callback });
      return true;
    }
    return this.#child.send(message as never, callback);
  }

  /** Sends what was held, in order, and every later message at once. */
  open(): void {
    const held = this.#held;
    this.#held = undefined;
    for (const { message, callback } of held ?? []) this.#child.send(message as never, callback);
  }

  on(event: 'message' | 'disconnect', listener: (...values: any[]) => void): this {
    this.#child.on(event, listener);
    return this;
  }

  off(event: 'message' | 'disconnect', listener: (...values: any[]) => void): this {
    this.#child.off(event, listener);
    return this;
  }
}
