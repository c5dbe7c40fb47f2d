/**
 * @msc/identity/node: the file-system half of `@msc/identity` (Node only).
 *
 * - {@link saveIdentity} / {@link loadIdentity} / {@link loadOrCreateIdentity}: identity key files,
 *   created with mode 0600 and refused when group or others can read them.
 * - {@link knownPeersFile}: the known-peers store for `trustOnFirstUse`, updated atomically.
 *
 * @example
 * ```ts
 * import { identityAuthenticator, trustOnFirstUse } from '@msc/identity';
 * import { knownPeersFile, loadOrCreateIdentity } from '@msc/identity/node';
 *
 * const identity = await loadOrCreateIdentity('./alice.identity.json', { name: 'alice' });
 * const authenticator = identityAuthenticator({
 *   identity,
 *   admission: trustOnFirstUse({ knownPeers: knownPeersFile('./known-peers.json') }),
 * });
 * ```
 *
 * @packageDocumentation
 */

export type { SaveIdentityOptions } from './identity-file.ts';
export { loadIdentity, loadOrCreateIdentity, saveIdentity } from './identity-file.ts';
export type { IdentityFileErrorCode } from './identity-file-error.ts';
export { IdentityFileError } from './identity-file-error.ts';
export { knownPeersFile } from './known-peers-file.ts';
