import { facet, type Proxy, proxy, type Revocable, RevokedError, revocable } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { connect, eventually, listen, networks, party } from './fixtures/scenario-network.ts';

class Room {
  readonly said: string[] = [];
  disposed = false;
  #release: (() => void) | undefined;
  async say(text: string): Promise<number> {
    this.said.push(text);
    return this.said.length;
  }
  /** Waits until the test lets it go. */
  async slow(): Promise<string> {
    await new Promise<void>((resolve) => {
      this.#release = resolve;
    });
    return 'finished';
  }
  letGo(): void {
    this.#release?.();
  }
  [Symbol.dispose](): void {
    this.disposed = true;
  }
}

interface IHost {
  guest(): Proxy<Room>;
  /** A facet of the guest capability that only lets `say` through. */
  speaker(): Proxy<Pick<Room, 'say'>>;
}

/** Whether `result` settled within a few microtasks: without a message to the peer and back. */
async function settlesAtOnce(result: Promise<unknown>): Promise<unknown> {
  let outcome: unknown = 'pending';
  result.then(
    (value) => {
      outcome = value;
    },
    (error: unknown) => {
      outcome = error;
    },
  );
  for (let index = 0; index < 5; index++) await Promise.resolve();
  return outcome;
}

describe.each(networks)('revocation over $name', (network) => {
  /** A host whose root hands out one revocable capability to its room. */
  async function host(room: Room) {
    const access: Revocable<Room> = revocable(room);
    class Host implements IHost {
      guest() {
        return proxy(access.proxy); // a copy: the host keeps access.proxy
      }
      speaker() {
        return facet(access.proxy, ['say']);
      }
    }
    const root = proxy<IHost>(new Host());
    const hostParty = await listen(network, party(network, root as Proxy<unknown>));
    root[Symbol.dispose]();
    return { access, hostParty };
  }

  test('a remote holder gets already-aborted results after revoke, and its import is released at once', async () => {
    const room = new Room();
    const { access, hostParty } = await host(room);
    const { remote, clientSession, hostSession } = await connect<IHost>(party(network), hostParty);
    using guest = remote.guest();
    expect(await guest.say('hello')).toBe(1);
    expect(clientSession.stats().imports).toBe(2);
    access.revoke('the room closed');
    // The Revoke reaches the client: its import leaves the table while it still holds the proxy.
    await eventually(() => clientSession.stats().imports === 1);
    expect(clientSession.stats().imports).toBe(1);
    await eventually(() => hostSession.stats().exports === 1);
    expect(hostSession.stats().exports).toBe(1);
    const error = await settlesAtOnce(guest.say('anyone?'));
    expect(error).toBeInstanceOf(RevokedError);
    expect(error).toMatchObject({ code: 'revoked', message: 'the capability was revoked: the room closed' });
    await expect(guest.whenResolved()).rejects.toBeInstanceOf(RevokedError);
    expect(room.said).toEqual(['hello']);
    access.revoke('again'); // a no-op
    access.proxy[Symbol.dispose]();
    remote[Symbol.dispose]();
    await eventually(() => room.disposed);
    expect(room.disposed).toBe(true);
  });

  test('a call in flight at the revocation settles with the revoked error', async () => {
    const room = new Room();
    const { access, hostParty } = await host(room);
    const { remote } = await connect<IHost>(party(network), hostParty);
    using guest = remote.guest();
    const running = guest.slow();
    await eventually(
      () => room.said.length === 0 && (room as unknown as { slow: unknown }).slow !== undefined,
    );
    await guest.say('started'); // the slow call was dispatched before this one
    access.revoke('stop');
    await expect(running).rejects.toBeInstanceOf(RevokedError);
    room.letGo();
    access.proxy[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a capability forwarded to a third party is revoked there too (A → B → C)', async () => {
    const room = new Room();
    const { access, hostParty } = await host(room);
    class Relay {
      fromHost: Proxy<Room> | undefined;
      guest(): Proxy<Room> {
        return proxy(this.fromHost!); // a copy: a return gives its reference away
      }
    }
    const relay = new Relay();
    const relayRoot = proxy(relay);
    const middle = await listen(network, party(network, relayRoot as Proxy<unknown>));
    relayRoot[Symbol.dispose]();
    const toHost = await connect<IHost>(middle, hostParty);
    relay.fromHost = toHost.remote.guest();
    const toMiddle = await connect<Relay>(party(network), middle);
    using third = toMiddle.remote.guest();
    expect(await third.say('from C')).toBe(1);
    access.revoke('everyone out');
    await eventually(() => toMiddle.clientSession.stats().imports === 1);
    expect(toMiddle.clientSession.stats().imports).toBe(1);
    expect(await settlesAtOnce(third.say('still there?'))).toBeInstanceOf(RevokedError);
    expect(await settlesAtOnce(relay.fromHost.say('and B?'))).toBeInstanceOf(RevokedError);
    await eventually(
      () => toHost.hostSession.stats().exports === 1 && toMiddle.hostSession.stats().exports === 1,
    );
    expect([toHost.clientSession.stats().imports, toMiddle.hostSession.stats().exports]).toEqual([1, 1]);
    expect(room.said).toEqual(['from C']);
    relay.fromHost[Symbol.dispose]();
    access.proxy[Symbol.dispose]();
    toHost.remote[Symbol.dispose]();
    toMiddle.remote[Symbol.dispose]();
  });

  test('a facet of a revocable capability is revoked with it, remotely', async () => {
    const room = new Room();
    const { access, hostParty } = await host(room);
    const { remote, clientSession } = await connect<IHost>(party(network), hostParty);
    using speaker = remote.speaker();
    expect(await speaker.say('hi')).toBe(1);
    access.revoke();
    await eventually(() => clientSession.stats().imports === 1);
    expect(await settlesAtOnce(speaker.say('hi?'))).toBeInstanceOf(RevokedError);
    access.proxy[Symbol.dispose]();
    remote[Symbol.dispose]();
  });

  test('a capability revoked before it is sent is revoked at the receiver right after it arrives', async () => {
    const room = new Room();
    const { access, hostParty } = await host(room);
    access.revoke('too late');
    const { remote, clientSession } = await connect<IHost>(party(network), hostParty);
    using guest = remote.guest();
    // The Revoke follows the Return that carried the capability, in the same frame: the result
    // resolves to the import, which the Revoke then revokes and releases.
    await guest.whenResolved().catch(() => {});
    await eventually(() => clientSession.stats().imports === 1);
    expect(clientSession.stats().imports).toBe(1);
    await expect(guest.whenResolved()).rejects.toBeInstanceOf(RevokedError);
    expect(await settlesAtOnce(guest.say('hello'))).toBeInstanceOf(RevokedError);
    expect(room.said).toEqual([]);
    access.proxy[Symbol.dispose]();
    remote[Symbol.dispose]();
  });
});
