import { type Proxy, proxy } from '@msc/eventual';
import { describe, expect, test } from 'vitest';
import { connect, listen, networks, party } from './fixtures/scenario-network.ts';

/** What a lobby keeps about a player: plain data, as `apps/lobby/src/contracts.ts` has it. */
interface Profile {
  name: string;
  scores: number[];
  badges: { id: string; level: number }[];
  avatar: Uint8Array;
}

function profile(): Profile {
  return { name: 'ada', scores: [1, 2], badges: [{ id: 'first', level: 1 }], avatar: new Uint8Array([7, 7]) };
}

interface IRegistry {
  /** Mutates what it is given, then keeps it. */
  register(value: Profile): Promise<void>;
  /** The profile kept. */
  kept(): Promise<Profile>;
}

class Registry implements IRegistry {
  profile: Profile | undefined;
  async register(value: Profile): Promise<void> {
    value.name = 'eve';
    value.scores.push(100);
    value.badges[0]!.level = 9;
    value.avatar[0] = 0;
    this.profile = value;
  }
  async kept(): Promise<Profile> {
    return this.profile!;
  }
}

/** Runs one scenario against a registry and reports what each side saw afterwards. */
async function scenario(registry: Proxy<IRegistry>, target: Registry) {
  const mine = profile();
  await registry.register(mine);
  const result = await registry.kept();
  result.scores.length = 0; // the caller mutates the result
  return { caller: mine, callee: target.profile, result };
}

describe.each(networks)('local calls isolate data as calls over $name do', (network) => {
  test('a callee mutating its argument and a caller mutating its result change only their own copies', async () => {
    const localTarget = new Registry();
    using local = proxy<IRegistry>(localTarget);
    const seenLocally = await scenario(local, localTarget);

    const remoteTarget = new Registry();
    const root = proxy<IRegistry>(remoteTarget);
    const host = await listen(network, party(network, root as Proxy<unknown>));
    root[Symbol.dispose]();
    using remote = (await connect<IRegistry>(party(network), host)).remote;
    const seenRemotely = await scenario(remote, remoteTarget);

    expect(seenRemotely.caller).toEqual(profile());
    expect(seenRemotely.callee).toEqual({
      ...profile(),
      name: 'eve',
      scores: [1, 2, 100],
      badges: [{ id: 'first', level: 9 }],
      avatar: new Uint8Array([0, 7]),
    });
    expect(seenLocally).toEqual(seenRemotely);
  });
});
