/**
 * The attacks whose fix has not landed on main yet, by id, with the branch building it: the one place
 * that says which attacks the test run leaves out. `test/attack-suite.test.ts` prints them (and the
 * classes they belong to) on every run; `ATTACK_PENDING=1` runs them too, to see which now hold. The
 * report runs every attack, pending or not, and says which held. Remove an id here when its fix lands.
 */
export const pendingAttacks: ReadonlyMap<string, string> = new Map<string, string>([
  ['request-target-scopeWs-ipv6', 'edge-hardening'],
  ['request-target-scopeWs-userinfo', 'edge-hardening'],
  ['request-target-httpWs-ipv6', 'edge-hardening'],
  ['request-target-httpWs-userinfo', 'edge-hardening'],
  ['request-target-lobbyWebWs-ipv6', 'edge-hardening'],
  ['request-target-lobbyWebWs-userinfo', 'edge-hardening'],
  ['request-target-lobbyPage-ipv6', 'lobby-identity-hardening'],
  ['request-target-lobbyPage-userinfo', 'lobby-identity-hardening'],
  ['http-fuzz', 'edge-hardening, lobby-identity-hardening'],
  ['tcp-pings-never-read', 'transport-kit'],
  ['ws-pings-never-read', 'transport-kit'],
  ['tcp-declared-16mib-trickle', 'transport-kit'],
  ['ws-declared-16mib-trickle', 'transport-kit'],
  ['records-of-300k-keys', 'serialization-bounds'],
  ['items-beyond-credit', 'session-split'],
  ['unique-1mib-method-names', 'eventual-face'],
  ['process-sip-ipc-garbage', 'edge-hardening'],
  ['worker-sip-port-garbage', 'edge-hardening'],
  ['process-sip-grandchild', 'edge-hardening'],
  ['tcp-connection-flood', 'edge-hardening'],
  ['ws-handshake-flood', 'edge-hardening'],
  ['lobby-rounds-not-finite', 'lobby-identity-hardening'],
  ['lobby-game-flood', 'lobby-identity-hardening'],
  ['lobby-control-characters', 'lobby-identity-hardening'],
  ['lobby-page-headers', 'lobby-identity-hardening'],
  ['tofu-confusable-names', 'lobby-identity-hardening'],
  ['known-peers-file-0666', 'lobby-identity-hardening'],
  ['coercion-remote-calls', 'eventual-face'],
]);

/**
 * The attacks that broke the target when the suite first ran (main at 30e2494, before the fixes of issue
 * 14): the report calls those that hold now `fixed`, the others that hold `held`.
 */
export const brokenBeforeFixes: ReadonlySet<string> = new Set([
  'request-target-scopeWs-ipv6',
  'request-target-scopeWs-userinfo',
  'request-target-httpWs-ipv6',
  'request-target-httpWs-userinfo',
  'request-target-lobbyWebWs-ipv6',
  'request-target-lobbyWebWs-userinfo',
  'request-target-lobbyPage-ipv6',
  'request-target-lobbyPage-userinfo',
  'http-fuzz',
  'tcp-pings-never-read',
  'ws-pings-never-read',
  'tcp-declared-16mib-trickle',
  'ws-declared-16mib-trickle',
  'records-of-300k-keys',
  'items-beyond-credit',
  'unique-1mib-method-names',
  'process-sip-ipc-garbage',
  'worker-sip-port-garbage',
  'process-sip-grandchild',
  'tcp-connection-flood',
  'ws-handshake-flood',
  'lobby-rounds-not-finite',
  'lobby-game-flood',
  'lobby-control-characters',
  'lobby-page-headers',
  'tofu-confusable-names',
  'known-peers-file-0666',
  'coercion-remote-calls',
]);
