import type { Link } from '../links/link.ts';

/**
 * Turns a link's push-style messages into the pull-style `receive()` that transports such as
 * capnweb's expect: messages wait in a queue until asked for, and a closed link rejects the waiting
 * and every later `receive()`.
 */
export class LinkPump<Message> {
  readonly #queue: Message[] = [];
  #waiting: { resolve: (message: Message) => void; reject: (error: Error) => void } | undefined;
  #closedError: Error | undefined;

  constructor(link: Link<Message>) {
    link.onMessage((message) => {
      const waiting = this.#waiting;
      if (waiting === undefined) this.#queue.push(message);
      else {
        this.#waiting = undefined;
        waiting.resolve(message);
      }
    });
    link.onClose(() => {
      this.#closedError = new Error('the benchmark link closed');
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.reject(this.#closedError);
    });
  }

  /** Resolves with the next message, or rejects once the link has closed and the queue is empty. */
  receive(): Promise<Message> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift()!);
    if (this.#closedError !== undefined) return Promise.reject(this.#closedError);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }
}
