import { readFileSync } from 'node:fs';
import { Identity } from '@msc/identity';
import { memory } from '@msc/transport-memory';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { LobbyClientOptions } from '../src/client.ts';
import {
  defaultLobbyLimits,
  LobbyServer,
  type LobbyServerOptions,
  lobbyLimits,
  type SipGameHostOptions,
} from '../src/server.ts';
import type { ServeWebOptions } from '../src/web.ts';

/**
 * Each optional property of `T` set to `undefined`, as a caller writes who forwards a setting that
 * may be unset (`{ timeoutMs: flags.timeout }`). Under `exactOptionalPropertyTypes` (this project's
 * tsconfig, and many users') such an object is accepted only where the property is declared
 * `?: X | undefined`; the code then treats `undefined` as absent. Distributes over unions.
 */
type ExplicitlyUndefined<T> = T extends unknown
  ? { [K in keyof T as {} extends Pick<T, K> ? K : never]-?: undefined }
  : never;

/** The public options types of this package's entries: exported type names ending in `Options`. */
function exportedOptionTypes(): string[] {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries = JSON.stringify(manifest.exports).match(/\.\/src\/[\w/.-]+\.ts/g) ?? [];
  const names = new Set<string>();
  for (const entry of new Set(entries)) {
    const source = readFileSync(new URL(`../${entry}`, import.meta.url), 'utf8');
    for (const [, block] of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
      for (const name of block!.match(/\b\w+Options\b/g) ?? []) names.add(name);
    }
  }
  return [...names].sort();
}

/** The options types this file checks: every name inside `ExplicitlyUndefined<...>` below. */
function checkedOptionTypes(): string[] {
  const text = readFileSync(new URL(import.meta.url), 'utf8');
  return [
    ...new Set([...text.matchAll(/ExplicitlyUndefined<(\w+Options)\b/g)].map((match) => match[1]!)),
  ].sort();
}

describe("the lobby's options accept an explicit undefined for every optional property", () => {
  test('every exported options type is checked here', () => {
    expect(checkedOptionTypes()).toEqual(expect.arrayContaining(exportedOptionTypes()));
  });

  test('each options type takes undefined wherever it takes nothing', () => {
    expectTypeOf<ExplicitlyUndefined<LobbyServerOptions>>().toExtend<Partial<LobbyServerOptions>>();
    expectTypeOf<ExplicitlyUndefined<SipGameHostOptions>>().toExtend<Partial<SipGameHostOptions>>();
    expectTypeOf<ExplicitlyUndefined<LobbyClientOptions>>().toExtend<Partial<LobbyClientOptions>>();
    expectTypeOf<ExplicitlyUndefined<ServeWebOptions>>().toExtend<Partial<ServeWebOptions>>();
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
