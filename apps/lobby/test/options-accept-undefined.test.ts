import { Identity } from '@msc/identity';
import { memory } from '@msc/transport-memory';
import { describe, expect, expectTypeOf, test } from 'vitest';
import {
  type ExplicitlyUndefined,
  testEveryOptionsTypeIsChecked,
} from '../../../config/options-accept-undefined.ts';
import type { LobbyClientOptions } from '../src/client.ts';
import {
  type ClusterDirectoryOptions,
  type ClusterNodeOptions,
  defaultLobbyLimits,
  LobbyServer,
  type LobbyServerOptions,
  lobbyLimits,
  type SipGameHostOptions,
} from '../src/server.ts';
import type { ServeWebOptions } from '../src/web.ts';

describe("the lobby's options accept an explicit undefined for every optional property", () => {
  testEveryOptionsTypeIsChecked(import.meta.url);

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<LobbyServerOptions>>().toExtend<Partial<LobbyServerOptions>>();
    expectTypeOf<ExplicitlyUndefined<SipGameHostOptions>>().toExtend<Partial<SipGameHostOptions>>();
    expectTypeOf<ExplicitlyUndefined<LobbyClientOptions>>().toExtend<Partial<LobbyClientOptions>>();
    expectTypeOf<ExplicitlyUndefined<ServeWebOptions>>().toExtend<Partial<ServeWebOptions>>();
    expectTypeOf<ExplicitlyUndefined<ClusterDirectoryOptions>>().toExtend<Partial<ClusterDirectoryOptions>>();
    expectTypeOf<ExplicitlyUndefined<ClusterNodeOptions>>().toExtend<Partial<ClusterNodeOptions>>();
    type Limits = NonNullable<LobbyServerOptions['lobbyLimits']>;
    expectTypeOf<ExplicitlyUndefined<Limits>>().toExtend<Partial<Limits>>();
    type SessionLimits = NonNullable<LobbyServerOptions['limits']>;
    expectTypeOf<ExplicitlyUndefined<SessionLimits>>().toExtend<Partial<SessionLimits>>();
  });

  test('an undefined lobby limit keeps its default; a bad one is still refused', () => {
    // Before: "expected lobby limit maxOpenGames to be a positive integer, got undefined".
    expect(lobbyLimits({ maxOpenGames: undefined, maxPageSize: 10 })).toEqual({
      ...defaultLobbyLimits,
      maxPageSize: 10,
    });
    expect(() => lobbyLimits({ maxPageSize: 0 })).toThrow(
      'expected lobby limit maxPageSize to be a positive integer',
    );
  });

  test('a server whose every optional option is undefined listens and closes', async () => {
    const unset: ExplicitlyUndefined<LobbyServerOptions> = {
      admission: undefined,
      gameHost: undefined,
      log: undefined,
      logger: undefined,
      signal: undefined,
      limits: undefined,
      lobbyLimits: undefined,
      maxBufferedBytesTotal: undefined,
      directory: undefined,
      resume: undefined,
    };
    const server = new LobbyServer({
      ...unset,
      identity: await Identity.generate({ name: 'server' }),
      limits: { maxBufferedBytes: undefined },
      lobbyLimits: { maxOpenGames: undefined },
    });
    try {
      expect(server.lobby.limits).toEqual(defaultLobbyLimits);
      expect(await server.listen(memory(), 'memory:')).toMatch(/^memory:/);
    } finally {
      await server.close();
    }
  });
});
