import { type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';
import {
  type Authenticator,
  Session,
  type SessionLimits,
  type TerminationReason,
  unauthenticated,
} from '@msc/session';
import type { Connection } from '@msc/transport';
import { memoryPair } from '@msc/transport-memory';
import { tcp } from '@msc/transport-tcp';
import { within } from './attacks.ts';
import { turns } from './turns.ts';
import { emptyArraysFrame, Wire, WirePeer, WireReference } from './wire-peer.ts';

/**
 * Attacks on the session's budgets before establishment and on stream credit (issue 14, classes 4
 * and 5), each over a memory pair or real TCP on 127.0.0.1: a raw {@link WirePeer} drives the
 * attacked listener session from the other end of its connection.
 */

/** Which connection the attacked session runs over. */
export type AttackWire = 'memory' | 'tcp';

/** A listener session under attack and the raw peer at the other end. */
export interface RawTarget {
  readonly session: Session<unknown>;
  readonly peer: WirePeer;
  /** Ends the session and releases the connection (and the TCP listener). */
  close(): Promise<void>;
}

/** Options of {@link rawTarget}. */
export interface RawTargetOptions {
  readonly root: Proxy<unknown>;
  readonly limits?: Partial<SessionLimits>;
  readonly authenticator?: Authenticator<unknown>;
}

/** Starts a listener session over `wire`, with a raw peer at the other end. */
export async function rawTarget(wire: AttackWire, options: RawTargetOptions): Promise<RawTarget> {
  const start = (connection: Connection) =>
    new Session({
      connection,
      role: 'listener',
      authenticator: options.authenticator ?? unauthenticated(),
      root: options.root,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
  if (wire === 'memory') {
    const [attackerEnd, sessionEnd] = memoryPair();
    const session = start(sessionEnd);
    return { session, peer: new WirePeer(attackerEnd), close: () => session.terminate('attack over') };
  }
  const transport = tcp();
  let accepted: ((session: Session<unknown>) => void) | undefined;
  const sessionReady = new Promise<Session<unknown>>((resolve) => {
    accepted = resolve;
  });
  const listener = await transport.listen('tcp:127.0.0.1:0', (connection) => accepted?.(start(connection)));
  const attackerEnd = await transport.dial(listener.address);
  const peer = new WirePeer(attackerEnd);
  const session = await sessionReady;
  return {
    session,
    peer,
    async close() {
      await session.terminate('attack over');
      attackerEnd.abort(new Error('attack over'));
      await listener.close();
    },
  };
}

/** An authenticator that takes `milliseconds` to admit anyone (the window a peer attacks). */
function slowAuthenticator(milliseconds: number): Authenticator<unknown> {
  return {
    scheme: 'none',
    authenticate: ({ signal }) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve(undefined), milliseconds);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      }),
  };
}

/** An authenticator that reads every message the peer sends and never admits anyone. */
function endlessAuthenticator(): Authenticator<unknown> {
  return {
    scheme: 'none',
    async authenticate({ receive }) {
      for (;;) await receive();
    },
  };
}

/**
 * How long the attacked session takes to authenticate in the attacks on that window: long enough
 * that the attack lands inside it even on a loaded machine.
 */
const authenticationMs = 3_000;

/** A root whose methods ignore their arguments. */
function ignoringRoot(): Proxy<unknown> {
  class Ignoring {
    async ignore(): Promise<number> {
      return 1;
    }
  }
  return proxy(new Ignoring()) as Proxy<unknown>;
}

/**
 * Starts a listener session over `wire` that takes `authenticationMs` to authenticate, lets `attack`
 * send after this side's hello, and resolves with how the session ended within that window
 * (`undefined`: still up). The session and its connection are closed either way.
 */
async function whileAuthenticating(
  wire: AttackWire,
  attack: (peer: WirePeer) => void,
): Promise<TerminationReason | undefined> {
  const target = await rawTarget(wire, {
    root: ignoringRoot(),
    authenticator: slowAuthenticator(authenticationMs),
  });
  try {
    target.peer.sendHello();
    attack(target.peer);
    return await within(target.session.closed, authenticationMs - 500);
  } finally {
    await target.close();
  }
}

/** The attacks, each resolving with how the attacked session ended (`undefined`: still up). */
export const budgetAttacks = {
  /**
   * While the session authenticates (3 s), frames of 16 KiB messages: each within the frame cap,
   * together past `maxHeldBytes` (64 KiB by default).
   */
  async heldBytesFlood(wire: AttackWire): Promise<TerminationReason | undefined> {
    return whileAuthenticating(wire, (peer) => {
      const payload = new Uint8Array(16 * 1024);
      for (let index = 0; index < 64; index++) peer.send([Wire.StreamItems, 1000 + 2 * index, payload]);
    });
  },
  /**
   * While the session authenticates (3 s) with an authenticator that reads nothing yet, 64
   * authentication messages of 16 KiB: each within the frame cap, together past `maxHeldBytes`.
   */
  async authenticationInboxFlood(wire: AttackWire): Promise<TerminationReason | undefined> {
    return whileAuthenticating(wire, (peer) => {
      const payload = new Uint8Array(16 * 1024);
      for (let index = 0; index < 64; index++) peer.send([Wire.Authenticate, payload]);
    });
  },
  /**
   * Before the session's configuration is out, one small frame (about 2 KB) whose message holds an
   * array of 2,000 numbers: past the handshake's `maxCollectionLength` (1024), refused while decoding.
   */
  async earlyWideMessage(wire: AttackWire): Promise<TerminationReason | undefined> {
    return whileAuthenticating(wire, (peer) => {
      peer.send([Wire.StreamItems, 1000, Array.from({ length: 2_000 }, () => 0)]);
    });
  },
  /**
   * An authenticator that reads every message and never decides: the peer sends frames of 1,000
   * small authentication messages, each frame within every per-frame limit and nothing held. The
   * decode budget before configuration (`handshakeDecodeBudget`) ends it, after a few MB.
   */
  async earlyDecodeWork(wire: AttackWire): Promise<TerminationReason | undefined> {
    const target = await rawTarget(wire, { root: ignoringRoot(), authenticator: endlessAuthenticator() });
    try {
      target.peer.sendHello();
      const messages = Array.from({ length: 1_000 }, () => [Wire.Authenticate, new Uint8Array(4)]);
      for (let frame = 0; frame < 2_000 && !target.session.isTerminated; frame++) {
        target.peer.send(...messages);
        await turns(1); // the authenticator reads them all: nothing is held
      }
      return await within(target.session.closed, 5_000);
    } finally {
      await target.close();
    }
  },
  /**
   * Before the session's configuration is out, one 1 MiB frame holding one message: an array of a
   * million empty arrays (decoded, tens of MiB of heap). Past `maxHandshakeFrameBytes` (64 KiB by
   * default), it is refused before it is decoded.
   */
  async handshakeFrameFlood(wire: AttackWire): Promise<TerminationReason | undefined> {
    return whileAuthenticating(wire, (peer) => peer.sendRaw(emptyArraysFrame(1024 * 1024)));
  },
  /**
   * A call carrying a sequence the callee ignores; the peer then sends 1,000 items into the window
   * of 64 the session granted.
   */
  async creditOverrun(wire: AttackWire): Promise<TerminationReason | undefined> {
    const target = await rawTarget(wire, { root: ignoringRoot() });
    try {
      target.peer.handshake();
      await within(target.session.established, 5_000);
      target.peer.send([Wire.Call, 0, 0, 0, 'ignore', [new WireReference([3, 0, 0, 0])]]);
      await turns(2);
      target.peer.send([Wire.StreamItems, 0, Array.from({ length: 1_000 }, (_, index) => index)]);
      return await within(target.session.closed, 5_000);
    } finally {
      await target.close();
    }
  },
};

/** How far a producer got when the peer declared a huge window and granted no credit. */
export interface CapacityFigures {
  /** Items the producer wrote before its `flush()` waited. */
  readonly written: number;
  /** Whether the attacked session ended (it should not: declaring a window breaks no rule). */
  readonly terminated: boolean;
}

/**
 * A peer asks for a sequence (produced with capacity 8, up to 100,000 items), then declares a
 * window of 2^40 items without granting any credit. The producer may buffer only as far as the
 * clamped window (`maxStreamCapacity`).
 */
export async function hugeDeclaredCapacity(
  wire: AttackWire,
  limits: Partial<SessionLimits>,
): Promise<CapacityFigures> {
  let written = 0;
  class Producer {
    produce(): Sequence<number> {
      const [items, writer] = sequence<number>({ capacity: 8 });
      void (async () => {
        for (let index = 0; index < 100_000; index++) {
          writer.write(index);
          written++;
          if (writer.desiredSize <= 0) await writer.flush();
        }
      })().catch(() => {});
      return items;
    }
  }
  const root = proxy(new Producer()) as Proxy<unknown>;
  const target = await rawTarget(wire, { root, limits });
  try {
    target.peer.handshake();
    await within(target.session.established, 5_000);
    target.peer.send([Wire.Call, 0, 0, 0, 'produce', []]);
    await turns(3);
    // The listener's first stream is 1; the window goes up to 2^40 items, with no credit.
    target.peer.send([Wire.StreamCredit, 1, 0, 2 ** 40, 1]);
    await turns(10);
    return { written, terminated: target.session.isTerminated };
  } finally {
    await target.close();
  }
}
