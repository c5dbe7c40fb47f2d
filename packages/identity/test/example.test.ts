// The example from src/index.ts and the README, run through the test harness in place of a session.
import { expect, it } from 'vitest';
import {
  allowList,
  Identity,
  identityAuthenticator,
  memoryKnownPeers,
  type PublicIdentity,
  trustOnFirstUse,
} from '../src/index.ts';
import { handshake } from './harness.ts';

it('the README example authenticates a player to the lobby and back', async () => {
  const server = await Identity.generate({ name: 'lobby' });
  const player = await Identity.generate({ name: 'ada' });
  expect(`${player.publicIdentity}`).toMatch(/^ada \(([a-z2-7]{4}-){7}[a-z2-7]{4}\)$/);

  const serverAuthenticator = identityAuthenticator({
    identity: server,
    admission: allowList([player.publicIdentity]),
  });
  const playerAuthenticator = identityAuthenticator({
    identity: player,
    admission: trustOnFirstUse({ knownPeers: memoryKnownPeers() }),
  });

  const result = await handshake(playerAuthenticator, serverAuthenticator);
  expect(result.dialer.ok && (result.dialer.peer as PublicIdentity).equals(server.publicIdentity)).toBe(true);
  expect(result.listener.ok && (result.listener.peer as PublicIdentity).name).toBe('ada');
});
