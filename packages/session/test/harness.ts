import { type Proxy, proxy } from '@msc/eventual';
import type { Connection } from '@msc/transport';
import { type MemoryConnectionOptions, memoryPair } from '@msc/transport-memory';
import { afterEach } from 'vitest';
import { type Authenticator, Session, type SessionOptions, unauthenticated } from '../src/index.ts';
import { expectDrained } from './fixtures/leak-check.ts';

/** Sessions made by the harness in the current test; checked for leaks after each test. */
const live = new Set<Session<unknown>>();

export interface PairOptions {
  readonly dialerRoot?: Proxy<unknown>;
  readonly listenerRoot?: SessionOptions['root'];
  readonly connection?: MemoryConnectionOptions;
  /** The connections to use instead of a memory pair made with `connection`. */
  readonly connections?: readonly [Connection, Connection];
  readonly dialer?: Partial<SessionOptions>;
  readonly listener?: Partial<SessionOptions>;
  readonly authenticator?: Authenticator<unknown>;
  /** Skip the after-test leak check (for tests that end the session on purpose). */
  readonly unchecked?: boolean;
}

export interface Pair {
  readonly dialer: Session<unknown>;
  readonly listener: Session<unknown>;
  readonly connections: readonly [Connection, Connection];
}

/** Two sessions over a memory pair (or the `connections` given). */
export function sessionPair(options: PairOptions = {}): Pair {
  const connections = options.connections ?? memoryPair(options.connection);
  const authenticator = options.authenticator ?? unauthenticated();
  const dialer = new Session({
    connection: connections[0],
    role: 'dialer',
    authenticator,
    ...(options.dialerRoot !== undefined ? { root: options.dialerRoot } : {}),
    ...options.dialer,
  });
  const listener = new Session({
    connection: connections[1],
    role: 'listener',
    authenticator,
    ...(options.listenerRoot !== undefined ? { root: options.listenerRoot } : {}),
    ...options.listener,
  });
  if (!options.unchecked) {
    live.add(dialer);
    live.add(listener);
  }
  return { dialer, listener, connections };
}

/** A root proxy for `target` on the listener side and the dialer's remote view of it. */
export function served<I extends object>(target: I, options: PairOptions = {}): Pair & { remote: Proxy<I> } {
  const pair = sessionPair({ ...options, listenerRoot: proxy<I>(target) as Proxy<unknown> });
  return { ...pair, remote: pair.dialer.remoteRoot<I>() };
}

/** Resolves after every pending microtask and `count` macrotask turns. */
export async function turns(count = 3): Promise<void> {
  for (let index = 0; index < count; index++) await new Promise((resolve) => setTimeout(resolve, 0));
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Every test is a leak check: see `fixtures/leak-check.ts`. */
afterEach(async () => {
  const sessions = [...live];
  live.clear();
  try {
    await expectDrained(sessions);
  } finally {
    await Promise.all(sessions.map((session) => session.terminate('test over')));
  }
});
