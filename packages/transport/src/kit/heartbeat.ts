/** What a {@link Heartbeat} does on a tick; the connection lifecycle implements it. */
export interface HeartbeatPort {
  /** Whether reading is paused (our receiver is behind): silence is then ours, not the peer's. */
  readingPaused(): boolean;
  /** Sends a 'tell me you are alive'. */
  ping(): void;
  /** Sends an unprompted sign of life. */
  pong(): void;
  /** The peer was silent for `idleTimeoutMs`: end the connection with `timeout`. */
  silent(idleTimeoutMs: number): void;
}

/**
 * Dead-peer detection and keep-alive for one connection. Runs every `intervalMs`. Only what we receive proves the
 * peer alive (a write to a dead peer still succeeds until the kernel's buffer fills). When we sent nothing since
 * the last tick we send a heartbeat: a ping ("answer me") when we heard nothing, else a pong, so a peer that only
 * receives hears from us too. While our reading is paused the silence is our receiver's doing: we do not count it,
 * and tell the peer we are alive. A peer silent for `idleTimeoutMs` is reported to {@link HeartbeatPort.silent}:
 * it is noticed between `idleTimeoutMs` and `idleTimeoutMs + intervalMs`.
 *
 * Time our own event loop was blocked does not count either: a tick that runs late (a long synchronous task,
 * a loaded machine) has had no chance to ping, and what the peer sent meanwhile waits unread behind the
 * timer, so the lateness is taken off the silence. Without it one blocked second would end every connection
 * of a process whose idle timeout is under a second, though every peer was alive.
 */
export class Heartbeat {
  readonly #idleTimeoutMs: number;
  readonly #port: HeartbeatPort;
  readonly #intervalMs: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #lastReceivedAt = performance.now();
  #lastTickAt = this.#lastReceivedAt;
  #receivedSinceTick = false;
  #sentSinceTick = false;

  /**
   * @param idleTimeoutMs silence after which the peer counts as dead, in milliseconds (more than 0)
   * @param intervalMs how often to check and send heartbeats, in milliseconds
   * @param port what a tick does
   */
  constructor(idleTimeoutMs: number, intervalMs: number, port: HeartbeatPort) {
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#intervalMs = intervalMs;
    this.#port = port;
    this.#timer = setInterval(this.#tick, intervalMs);
    // The medium keeps the event loop alive while it is open; the heartbeat timer must not on its own.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Something arrived from the peer (a frame, a heartbeat, any bytes). */
  heard(): void {
    this.#receivedSinceTick = true;
    this.#lastReceivedAt = performance.now();
  }

  /** We wrote something the peer will receive. */
  sent(): void {
    this.#sentSinceTick = true;
  }

  /** Reading resumed: the time we did not read does not count as the peer's silence. */
  resumed(): void {
    this.#lastReceivedAt = performance.now();
  }

  /** Stops the timer (the connection closed). */
  stop(): void {
    clearInterval(this.#timer);
  }

  readonly #tick = (): void => {
    const port = this.#port;
    const now = performance.now();
    const late = now - this.#lastTickAt - this.#intervalMs;
    this.#lastTickAt = now;
    if (late > 0) this.#lastReceivedAt = Math.min(now, this.#lastReceivedAt + late);
    if (port.readingPaused()) {
      this.#lastReceivedAt = now;
      port.pong();
    } else if (now - this.#lastReceivedAt >= this.#idleTimeoutMs) {
      port.silent(this.#idleTimeoutMs);
      return;
    } else if (!this.#sentSinceTick) {
      if (this.#receivedSinceTick) port.pong();
      else port.ping();
    }
    this.#sentSinceTick = false;
    this.#receivedSinceTick = false;
  };
}

/** Default idle timeout of the transports with heartbeats: 30 s. */
export const defaultIdleTimeoutMs = 30_000;

/**
 * Validates the heartbeat options of a transport and fills in their defaults: `idleTimeoutMs` 30 000 (0 turns
 * heartbeats off), `heartbeatIntervalMs` a third of it.
 *
 * @throws RangeError for a negative `idleTimeoutMs` or a `heartbeatIntervalMs` that is not positive
 */
export function heartbeatSettings(options: {
  idleTimeoutMs?: number | undefined;
  heartbeatIntervalMs?: number | undefined;
}): {
  idleTimeoutMs: number;
  heartbeatIntervalMs: number;
} {
  const idleTimeoutMs = options.idleTimeoutMs ?? defaultIdleTimeoutMs;
  if (!(idleTimeoutMs >= 0))
    throw new RangeError(`expected idleTimeoutMs to be 0 or more, but got ${idleTimeoutMs}`);
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.max(1, Math.floor(idleTimeoutMs / 3));
  if (!(heartbeatIntervalMs > 0)) {
    throw new RangeError(`expected heartbeatIntervalMs to be more than 0, but got ${heartbeatIntervalMs}`);
  }
  return { idleTimeoutMs, heartbeatIntervalMs };
}
