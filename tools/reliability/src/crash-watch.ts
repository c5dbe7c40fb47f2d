/**
 * Records every uncaught exception and unhandled rejection in this process while it is installed. The
 * suite's first property is that no input, fault or attack produces either: a session must turn
 * everything into a settled value or a terminated session.
 */
export class CrashWatch implements Disposable {
  /** What surfaced, in order: `uncaught: <message>` or `unhandled rejection: <message>`. */
  readonly incidents: string[] = [];

  readonly #onException = (error: unknown): void => {
    this.incidents.push(`uncaught: ${describe(error)}`);
  };
  readonly #onRejection = (reason: unknown): void => {
    this.incidents.push(`unhandled rejection: ${describe(reason)}`);
  };

  /** Starts listening at once. */
  constructor() {
    process.on('uncaughtException', this.#onException);
    process.on('unhandledRejection', this.#onRejection);
  }

  /** Stops listening. */
  [Symbol.dispose](): void {
    process.off('uncaughtException', this.#onException);
    process.off('unhandledRejection', this.#onRejection);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
}
