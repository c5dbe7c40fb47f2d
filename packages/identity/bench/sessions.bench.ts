// Handshake cost in real sessions: sessions established per second over TCP on 127.0.0.1, with the
// ed25519 authenticator and without authentication. Run: npx pnpm@10.34.8 --filter @msc/identity bench
import { proxy } from '@msc/eventual';
import { type Authenticator, Scope, unauthenticated } from '@msc/session';
import { tcp } from '@msc/transport-tcp';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { allowAll, Identity, identityAuthenticator } from '../src/index.ts';

class Ping {
  async ping(): Promise<string> {
    return 'pong';
  }
}

const sessionsPerRound = 20;

interface Setup {
  server: Scope<unknown>;
  client: Scope<unknown>;
  address: string;
}

async function setup(
  serverAuthenticator: Authenticator<unknown>,
  clientAuthenticator: Authenticator<unknown>,
): Promise<Setup> {
  const transport = tcp();
  const server = new Scope({ transport, authenticator: serverAuthenticator, root: proxy(new Ping()) });
  const listener = await server.listen('tcp:127.0.0.1:0');
  const client = new Scope({ transport, authenticator: clientAuthenticator });
  return { server, client, address: listener.address };
}

async function establish(target: Setup): Promise<void> {
  // Each round: open sessions one after another, make one call on each, end them.
  for (let index = 0; index < sessionsPerRound; index++) {
    const session = await target.client.session(target.address);
    const root = session.remoteRoot<Ping>();
    await root.ping();
    root[Symbol.dispose]();
    await session.terminate('bench');
  }
}

let plain: Setup;
let authenticated: Setup;

beforeAll(async () => {
  const serverIdentity = await Identity.generate({ name: 'server' });
  const clientIdentity = await Identity.generate({ name: 'client' });
  plain = await setup(unauthenticated(), unauthenticated());
  authenticated = await setup(
    identityAuthenticator({ identity: serverIdentity, admission: allowAll() }) as Authenticator<unknown>,
    identityAuthenticator({ identity: clientIdentity, admission: allowAll() }) as Authenticator<unknown>,
  );
});

afterAll(async () => {
  for (const target of [plain, authenticated]) {
    await target.client.close();
    await target.server.close();
  }
});

describe(`${sessionsPerRound} sessions over TCP on loopback, one after another`, () => {
  bench('unauthenticated', () => establish(plain), { time: 2000 });
  bench('ed25519 mutual authentication', () => establish(authenticated), { time: 2000 });
});
