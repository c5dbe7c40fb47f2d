// The authenticator inside real sessions (Scope over the memory transport), not a harness.
import { type Proxy, proxy } from '@msc/eventual';
import { remoteIdentity, Scope, SessionError } from '@msc/session';
import { memory } from '@msc/transport-memory';
import { describe, expect, test } from 'vitest';
import { allowAll, allowList, Identity, identityAuthenticator, type PublicIdentity } from '../src/index.ts';

interface IDesk {
  whoAmI(): Promise<string>;
  greet(visitor: Proxy<IVisitor>): Promise<string>;
}
interface IVisitor {
  name(): Promise<string>;
}

class Desk implements IDesk {
  constructor(private readonly caller: () => PublicIdentity | undefined) {}
  async whoAmI() {
    return this.caller()?.fingerprint ?? 'nobody';
  }
  async greet(visitor: Proxy<IVisitor>) {
    const who = remoteIdentity<PublicIdentity>(visitor);
    return `${await visitor.name()} (${who?.fingerprint ?? 'unknown'})`;
  }
}

class Visitor implements IVisitor {
  async name() {
    return 'bob';
  }
}

describe('identity authentication in real sessions', () => {
  test('both sides learn the verified peer; the root is chosen from it; remoteIdentity works', async () => {
    const transport = memory();
    const server = await Identity.generate({ name: 'server' });
    const player = await Identity.generate({ name: 'bob' });
    await using host = new Scope({
      transport,
      authenticator: identityAuthenticator({
        identity: server,
        admission: allowList([player.publicIdentity]),
      }),
      root: (peer: PublicIdentity) => proxy<IDesk>(new Desk(() => peer)) as Proxy<unknown>,
    });
    await host.listen('memory:identity-desk');
    await using client = new Scope({
      transport,
      authenticator: identityAuthenticator({ identity: player, admission: allowAll() }),
    });
    const session = await client.session('memory:identity-desk');
    expect(session.peer?.equals(server.publicIdentity)).toBe(true);
    const desk = session.remoteRoot<IDesk>();
    expect(await desk.whoAmI()).toBe(player.publicIdentity.fingerprint);
    expect(remoteIdentity<PublicIdentity>(desk)?.equals(server.publicIdentity)).toBe(true);
    const visitor = proxy<IVisitor>(new Visitor());
    expect(await desk.greet(visitor)).toBe(`bob (${player.publicIdentity.fingerprint})`);
    visitor[Symbol.dispose]();
    desk[Symbol.dispose]();
  });

  test('a peer not on the allow list is refused, learns why, and reaches nothing', async () => {
    const transport = memory();
    const server = await Identity.generate();
    const stranger = await Identity.generate();
    let reached = false;
    class Guarded {
      async secret() {
        reached = true;
      }
    }
    await using host = new Scope({
      transport,
      authenticator: identityAuthenticator({ identity: server, admission: allowList([]) }),
      root: proxy(new Guarded()) as Proxy<unknown>,
    });
    await host.listen('memory:identity-guarded');
    await using client = new Scope({
      transport,
      authenticator: identityAuthenticator({ identity: stranger, admission: allowAll() }),
    });
    const root = client.connect<Guarded>('memory:identity-guarded');
    const error = await root.secret().catch((failure: unknown) => failure);
    expect(reached).toBe(false);
    const cause = (error as Error).cause as SessionError;
    expect(cause).toBeInstanceOf(SessionError);
    expect(cause).toMatchObject({ step: 'authentication', code: 'refused', remote: true });
  });

  test('an unauthenticated peer cannot talk to an authenticating one', async () => {
    const transport = memory();
    const server = await Identity.generate();
    await using host = new Scope({
      transport,
      authenticator: identityAuthenticator({ identity: server, admission: allowAll() }),
    });
    await host.listen('memory:identity-strict');
    const { unauthenticated } = await import('@msc/session');
    await using client = new Scope({ transport, authenticator: unauthenticated() });
    await expect(client.session('memory:identity-strict')).rejects.toMatchObject({ step: 'authentication' });
  });
});
