import type { Proxy } from '@msc/eventual';
import { Scope, unauthenticated } from '@msc/session';
import { tcp } from '@msc/transport-tcp';
import type { ITarget } from '../target-service.ts';

/** What a bystander saw while an attack ran. */
export interface BystanderFigures {
  /** Calls answered. */
  readonly calls: number;
  /** Calls that failed (the session ended, or the target did). */
  readonly failures: number;
  /** The slowest answer, in milliseconds (a call still outstanding at the end counts with its age so far). */
  readonly maxLatencyMs: number;
  /** Whether one more call, after the attack, was answered within the final deadline. */
  readonly answersAfter: boolean;
}

/** How often the bystander calls, in milliseconds. */
const callIntervalMs = 25;

/**
 * An honest session of another client, opened before an attack and calling the target's bare TCP
 * scope every {@link callIntervalMs} (one call outstanding at a time) while the attack runs: the
 * answers' latency is the target's responsiveness to everyone else. The target's other endpoints run
 * on the same event loop, so a stall anywhere shows here.
 */
export class Bystander implements AsyncDisposable {
  readonly #scope: Scope;
  readonly #root: Proxy<ITarget>;
  #calls = 0;
  #failures = 0;
  #maxLatencyMs = 0;
  #outstandingSince: number | undefined;
  #running = true;
  #loop: Promise<void> = Promise.resolve();

  private constructor(scope: Scope, root: Proxy<ITarget>) {
    this.#scope = scope;
    this.#root = root;
  }

  /**
   * Connects to `address` (the target's bare TCP scope) and starts calling once the first call answered.
   *
   * @throws Error when the first call fails or takes longer than `timeoutMs`
   */
  static async start(address: string, timeoutMs = 10_000): Promise<Bystander> {
    const scope = new Scope({ transport: tcp(), authenticator: unauthenticated() });
    const root = scope.connect<ITarget>(address);
    const bystander = new Bystander(scope, root);
    try {
      await deadline(root.echo(0), timeoutMs, 'the bystander could not reach the target');
    } catch (error) {
      await scope.close();
      throw error;
    }
    bystander.#loop = bystander.#run();
    return bystander;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const started = performance.now();
      this.#outstandingSince = started;
      try {
        await this.#root.echo(this.#calls);
        this.#calls++;
      } catch {
        this.#failures++;
        return;
      } finally {
        this.#outstandingSince = undefined;
        this.#maxLatencyMs = Math.max(this.#maxLatencyMs, performance.now() - started);
      }
      await new Promise((resolve) => setTimeout(resolve, callIntervalMs));
    }
  }

  /**
   * Stops calling, makes one last call (which must answer within `finalTimeoutMs`) and reports. A call
   * still outstanding when this is called counts with its age as latency, then is awaited no longer.
   */
  async stop(finalTimeoutMs = 5_000): Promise<BystanderFigures> {
    this.#running = false;
    if (this.#outstandingSince !== undefined) {
      this.#maxLatencyMs = Math.max(this.#maxLatencyMs, performance.now() - this.#outstandingSince);
    }
    await Promise.race([this.#loop, new Promise((resolve) => setTimeout(resolve, finalTimeoutMs))]);
    let answersAfter = false;
    if (this.#failures === 0) {
      try {
        await deadline(this.#root.echo('after'), finalTimeoutMs, 'no answer');
        answersAfter = true;
      } catch {
        answersAfter = false;
      }
    }
    return {
      calls: this.#calls,
      failures: this.#failures,
      maxLatencyMs: Math.round(this.#maxLatencyMs),
      answersAfter,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#running = false;
    await this.#scope.close();
  }
}

/** `promise`, or a rejection with `message` after `milliseconds`. */
export function deadline<T>(promise: Promise<T>, milliseconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${message} within ${milliseconds} ms`)), milliseconds);
    }),
  ]).finally(() => clearTimeout(timer));
}
