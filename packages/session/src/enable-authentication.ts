import { AuthenticatorExchange } from './authentication-exchange.ts';
import { installAuthentication } from './authentication-part.ts';

/**
 * Enables authenticators other than `unauthenticated()` for every session from now on.
 * `@msc/session`'s Node (default) entry calls it when it loads; its `browser` entry leaves the
 * authentication exchange out to keep pages small, so a page whose sessions authenticate calls it
 * once before its first session. `identityAuthenticator()` of `@msc/identity` calls it itself, so a
 * page using that needs nothing more. Calling it again does nothing more.
 *
 * Without it, making a `Scope` or `Session` whose authenticator is not `unauthenticated()`'s throws
 * a TypeError naming this function.
 *
 * @example
 * ```ts
 * import { enableAuthentication } from '@msc/session';
 *
 * enableAuthentication(); // before the page's first Scope, when it brings its own authenticator
 * ```
 */
export function enableAuthentication(): void {
  installAuthentication((options, port, held) => new AuthenticatorExchange(options, port, held));
}
