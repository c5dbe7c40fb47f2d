import { installListening } from './listening-part.ts';
import { ScopeListenerSet } from './scope-listeners.ts';

/**
 * Enables `scope.listen()` for every scope from now on. `@msc/session`'s Node (default) entry calls
 * it when it loads; its `browser` entry leaves it out to keep pages small (a page dials, and browsers
 * cannot accept WebSocket connections), so a page whose scope listens, on a MessagePort for a worker
 * say, calls it once before. Calling it again does nothing more.
 *
 * Without it, `scope.listen()` rejects with a TypeError naming this function.
 *
 * @example
 * ```ts
 * import { enableListening } from '@msc/session';
 *
 * enableListening(); // before the page's scope listens
 * ```
 */
export function enableListening(): void {
  installListening((scope) => new ScopeListenerSet(scope));
}
