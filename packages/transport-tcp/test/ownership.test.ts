import { type Proxy, proxy } from '@msc/eventual';
import { Scope, type Session, unauthenticated } from '@msc/session';
import { describeOwnership } from '../../session/test/fixtures/ownership-scenarios.ts';
import { tcp } from '../src/index.ts';

// The ownership table's scenarios across sessions over TCP on 127.0.0.1: each host is the root of
// a server scope, and the caller's capability comes from a client scope's session.
describeOwnership('ownership, over TCP on 127.0.0.1', async () => {
  const scopes: Scope<unknown>[] = [];
  const sessions: Session<unknown>[] = [];
  return {
    serve: async <I extends object>(host: I): Promise<Proxy<I>> => {
      const root = proxy<I>(host);
      const server = new Scope({ transport: tcp(), authenticator: unauthenticated(), root });
      root[Symbol.dispose]();
      const client = new Scope({ transport: tcp(), authenticator: unauthenticated() });
      scopes.push(client, server);
      const listener = await server.listen('tcp:127.0.0.1:0');
      const session = await client.session(listener.address);
      const probe = session.remoteRoot<I>();
      await probe.whenResolved(); // the server's session is established too
      probe[Symbol.dispose]();
      if (server.sessions.size !== 1)
        throw new Error(`expected 1 server session, got ${server.sessions.size}`);
      sessions.push(session, ...server.sessions);
      return session.remoteRoot<I>();
    },
    sessions: () => sessions,
    close: async () => {
      for (const scope of scopes) await scope.close();
    },
  };
});
