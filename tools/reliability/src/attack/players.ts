/**
 * The players the identity target knows from the start (its trust-on-first-use known peers), so that
 * the attacks have names to imitate: `alice`, and `zoé` (composed, U+00E9). Fixed keys (not secrets:
 * test fixtures) so that the target and the attacks agree on them without a channel between them.
 */
export const knownPlayers: readonly { readonly name: string; readonly secretKey: Uint8Array }[] = [
  { name: 'alice', secretKey: new Uint8Array(32).map((_, index) => (index * 37 + 11) & 0xff) },
  { name: 'zo\u00e9', secretKey: new Uint8Array(32).map((_, index) => (index * 53 + 7) & 0xff) },
];
