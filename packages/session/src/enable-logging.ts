import { installLogging } from './logging-part.ts';
import { logSessionEnd } from './session-log.ts';

/**
 * Enables the `logger` option of scopes from now on. `@msc/session`'s Node (default) entry calls it
 * when it loads; its `browser` entry leaves it out to keep pages small, so a page whose scope has a
 * logger calls it once before making that scope. Calling it again does nothing more.
 *
 * Without it, making a `Scope` with a `logger` throws a TypeError naming this function.
 *
 * @example
 * ```ts
 * import { enableLogging } from '@msc/session';
 *
 * enableLogging(); // before the page's Scope with a logger
 * ```
 */
export function enableLogging(): void {
  installLogging(logSessionEnd);
}
