import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowAll, Identity, identityAuthenticator } from '@msc/identity';
import { Scope, type SessionError } from '@msc/session';
import { tcp } from '@msc/transport-tcp';
import type { Attack, AttackContext } from './attack.ts';

/**
 * Names that look like a known player to a person: `alice` capitalised, with a zero-width space, with a
 * Cyrillic `а`; and `zoé` written decomposed (`e` + U+0301) where the known one is composed.
 */
const confusableNames = ['Alice', 'ali\u200bce', '\u0430lice', 'zoe\u0301'];

/**
 * Class 10: trust on first use, with `alice` known, meets players with fresh keys named like her.
 * Fixed: names are normalised before they are compared, so each is refused (`refused`) as a known
 * name with another key, or invalid (`invalid`) as a name that is not allowed; none is admitted as a
 * new player. Names every distinct code, in order.
 */
async function confusableNamesAttack(context: AttackContext): Promise<string> {
  const codes: string[] = [];
  for (const name of confusableNames) {
    let identity: Identity;
    try {
      identity = await Identity.generate({ name });
    } catch {
      // The library itself refuses to make such a name: that is the fixed behaviour too.
      codes.push('invalid');
      continue;
    }
    const scope = new Scope({
      transport: tcp(),
      authenticator: identityAuthenticator({ identity, admission: allowAll() }),
    });
    context.defer(() => scope.close());
    try {
      await scope.session(context.target.addresses.identityTcp);
      codes.push('admitted');
    } catch (error) {
      codes.push((error as SessionError).code ?? 'error');
    }
  }
  return [...new Set(codes)].join(', ');
}

/**
 * Class 10: a known-peers file anyone may write (mode 0666), read by the target. Fixed: the target
 * refuses to trust it, with the file error's code; names `trusted` when it read it.
 */
async function writableKnownPeersFile(context: AttackContext): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'msc-attack-'));
  context.defer(() => rm(directory, { recursive: true, force: true }));
  const path = join(directory, 'known-peers.json');
  await writeFile(path, `${JSON.stringify({ format: 'msc-known-peers', version: 1, peers: [] })}\n`);
  await chmod(path, 0o666);
  return context.target.knownPeers(path);
}

/** Class 10's identity attacks. */
export const identityAttacks: readonly Attack[] = [
  {
    id: 'tofu-confusable-names',
    attackClass: 10,
    description:
      'with `alice` known: `Alice`, `ali\\u200bce`, a Cyrillic `а`, a decomposed accent, each a fresh key',
    endpoint: 'identityTcp',
    expected: ['refused', 'invalid', 'refused, invalid', 'invalid, refused'],
    memoryBoundMiB: 16,
    run: confusableNamesAttack,
  },
  {
    id: 'known-peers-file-0666',
    attackClass: 10,
    description: 'a known-peers file of mode 0666 (anyone may add a key)',
    endpoint: 'identityTcp',
    expected: ['insecure-permissions', 'permissions'],
    memoryBoundMiB: 16,
    run: writableKnownPeersFile,
  },
];
