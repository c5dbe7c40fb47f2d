import type { Logger } from '@msc/transport';
import { notEnabled } from './not-enabled.ts';
import type { logSessionEnd } from './session-log.ts';

/**
 * Logging, optional in a program: what a scope tells its `logger` when one of its sessions ends
 * badly (session-log.ts: the events, their levels and sentences). A page rarely gives its scope a
 * logger, so only the entry that installs it carries it. `@msc/session`'s Node (default) entry
 * installs it when it loads; its `browser` entry does not, and a page whose scope has a logger calls
 * `enableLogging()` (enable-logging.ts) once before. A scope without a logger never asks this seam
 * for anything but `undefined`.
 *
 * Without it, making a `Scope` with a `logger` throws a TypeError naming `enableLogging()`. This file
 * holds only the seam.
 */

/** Logs the end of one of a scope's sessions (see `logSessionEnd`). */
export type SessionEndLog = typeof logSessionEnd;

let installed: SessionEndLog | undefined;

/**
 * Installs logging for every scope from now on (`enableLogging()`); `undefined` removes it again (for
 * tests of a program without it).
 */
export function installLogging(log: SessionEndLog | undefined): void {
  installed = log;
}

/**
 * How a scope with `logger` logs its sessions' ends: `undefined` without a logger.
 *
 * @throws TypeError naming `enableLogging()` for a logger when logging is not installed
 */
export function loggingFor(logger: Logger | undefined): SessionEndLog | undefined {
  if (logger === undefined) return undefined;
  if (installed === undefined) {
    throw new TypeError(`a scope cannot log: ${notEnabled('logging', 'enableLogging')}`);
  }
  return installed;
}
