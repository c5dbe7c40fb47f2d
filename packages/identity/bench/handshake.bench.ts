// Handshakes per second through the in-test harness (real crypto, no transport), and the raw
// ed25519 operations they are made of. A handshake costs each side one signature and one
// verification, plus two SHA-256 digests and five small messages.
import { bench, describe } from 'vitest';
import { allowAll, Identity, identityAuthenticator } from '../src/index.ts';
import { handshake } from '../test/harness.ts';

const [dialer, listener] = await Promise.all([
  Identity.generate({ name: 'dialer' }),
  Identity.generate({ name: 'listener' }),
]);
const dialerAuthenticator = identityAuthenticator({ identity: dialer, admission: allowAll() });
const listenerAuthenticator = identityAuthenticator({ identity: listener, admission: allowAll() });
const message = new Uint8Array(100).fill(42);
const signature = await dialer.sign(message);

describe('identity handshake', () => {
  bench('one handshake (both sides, sequential)', async () => {
    const result = await handshake(dialerAuthenticator, listenerAuthenticator);
    if (!result.dialer.ok || !result.listener.ok) throw new Error('handshake failed');
  });

  bench('16 concurrent handshakes', async () => {
    await Promise.all(
      Array.from({ length: 16 }, () => handshake(dialerAuthenticator, listenerAuthenticator)),
    );
  });
});

describe('ed25519', () => {
  bench('sign (100 bytes)', async () => {
    await dialer.sign(message);
  });

  bench('verify (100 bytes)', async () => {
    if (!(await dialer.publicIdentity.verify(message, signature))) throw new Error('verify failed');
  });
});
