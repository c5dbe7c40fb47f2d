/**
 * @msc/session: the MSC session protocol.
 *
 * @packageDocumentation
 */

export type { AuthenticationContext, Authenticator, SessionRole } from './authenticator.ts';
export { AuthenticationError, unauthenticated } from './authenticator.ts';
