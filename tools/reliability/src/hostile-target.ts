import { type Proxy, proxy } from '@msc/eventual';
import { Session, type SessionLimits, unauthenticated } from '@msc/session';
import { type MemoryConnection, type MemoryConnectionOptions, memoryPair } from '@msc/transport-memory';
import { type ISecret, Secret, TargetService } from './target-service.ts';
import { WirePeer, type WirePeerOptions } from './wire-peer.ts';

/** A listener session under attack, and the raw peer attacking it. */
export interface HostileTarget {
  /** The session under attack (listener side, root: a {@link TargetService}). */
  readonly session: Session<unknown>;
  /** The hostile end. */
  readonly peer: WirePeer;
  /** The secret the session's service holds; its invocation count must stay 0. */
  readonly secret: Secret;
  /** The service behind the root. */
  readonly service: TargetService;
  /** The session's own connection end (for its `bufferedBytes`). */
  readonly connection: MemoryConnection;
}

/** Options of {@link hostileTarget}. */
export interface HostileTargetOptions {
  readonly limits?: Partial<SessionLimits>;
  readonly connection?: MemoryConnectionOptions;
  readonly peer?: WirePeerOptions;
}

/** Starts a listener session over a fresh memory pair, with a raw {@link WirePeer} at the other end. */
export function hostileTarget(options: HostileTargetOptions = {}): HostileTarget {
  const [attackerEnd, sessionEnd] = memoryPair(options.connection);
  const secret = new Secret();
  const secretProxy = proxy<ISecret>(secret);
  const service = new TargetService(secretProxy);
  const root = proxy(service);
  const session = new Session({
    connection: sessionEnd,
    role: 'listener',
    authenticator: unauthenticated(),
    root: root as Proxy<unknown>,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  root[Symbol.dispose]();
  const peer = new WirePeer(attackerEnd, options.peer);
  return { session, peer, secret, service, connection: sessionEnd };
}

/** An ordinary pair of sessions in the same process, which must keep being served during attacks. */
export interface Bystander {
  readonly dialer: Session<unknown>;
  readonly listener: Session<unknown>;
  /** The dialer's view of the listener's root. */
  readonly remote: Proxy<{ add(n: number): Promise<number> }>;
  /** Makes one call and checks its answer; rejects when the bystander is not served. */
  check(): Promise<void>;
  /** Calls served so far. */
  readonly served: () => number;
  /** Ends both sessions. */
  close(): Promise<void>;
}

/** Starts a {@link Bystander}. */
export function bystander(): Bystander {
  const [dialerEnd, listenerEnd] = memoryPair();
  let served = 0;
  class Counter {
    async add(n: number): Promise<number> {
      served++;
      return n + 1;
    }
  }
  const authenticator = unauthenticated();
  const root = proxy(new Counter());
  const listener = new Session({
    connection: listenerEnd,
    role: 'listener',
    authenticator,
    root: root as Proxy<unknown>,
  });
  root[Symbol.dispose]();
  const dialer = new Session({ connection: dialerEnd, role: 'dialer', authenticator });
  const remote = dialer.remoteRoot<{ add(n: number): Promise<number> }>();
  return {
    dialer,
    listener,
    remote,
    served: () => served,
    async check() {
      const value = Math.floor(Math.random() * 1000);
      const answer = await remote.add(value);
      if (answer !== value + 1) throw new Error(`the bystander answered ${answer}, expected ${value + 1}`);
    },
    async close() {
      remote[Symbol.dispose]();
      await Promise.all([dialer.terminate('bystander done'), listener.terminate('bystander done')]);
    },
  };
}
