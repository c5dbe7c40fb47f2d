import { describe, expect, it } from 'vitest';
import {
  type AdmissionRequest,
  admit,
  allowAll,
  allowList,
  areConfusableNames,
  customAdmission,
  displayNameSkeleton,
  Identity,
  IdentityFormatError,
  type KnownPeers,
  memoryKnownPeers,
  normalizeDisplayName,
  type PublicIdentity,
  refuse,
  trustOnFirstUse,
} from '../src/index.ts';

const request: AdmissionRequest = {
  role: 'listener',
  protocolVersion: 1,
  signal: new AbortController().signal,
};
const named = async (name?: string) =>
  (await Identity.generate(name === undefined ? {} : { name })).publicIdentity;

describe('allowAll', () => {
  it('admits anyone', async () => {
    expect(await allowAll().admit(await named(), request)).toEqual({ admitted: true });
  });
});

describe('allowList', () => {
  it('admits listed identities by identity, public key text or fingerprint, and no one else', async () => {
    const [byIdentity, byKey, byFingerprint, stranger] = await Promise.all([
      named('a'),
      named('b'),
      named('c'),
      named('d'),
    ]);
    const policy = allowList([byIdentity, byKey.publicKeyText, byFingerprint.fingerprint.toUpperCase()]);
    for (const peer of [byIdentity, byKey, byFingerprint])
      expect(await policy.admit(peer, request)).toEqual(admit());
    expect(await policy.admit(stranger, request)).toEqual(
      refuse(`not on the allow list (fingerprint ${stranger.fingerprint})`),
    );
  });

  it('matches keys, not names: a stranger using a listed name is refused', async () => {
    const listed = await named('alice');
    const impostor = await named('alice');
    expect((await allowList([listed]).admit(impostor, request)).admitted).toBe(false);
  });

  it('refuses to build from an entry that is neither a key nor a fingerprint', () => {
    expect(() => allowList(['alice'])).toThrow(IdentityFormatError);
    expect(() => allowList(['abcd-efgh'])).toThrow(/32-character base32 fingerprint/);
  });
});

describe('trustOnFirstUse', () => {
  it('remembers the first key for a name and admits it again', async () => {
    const knownPeers = memoryKnownPeers();
    const firstUses: PublicIdentity[] = [];
    const policy = trustOnFirstUse({ knownPeers, onFirstUse: (peer) => firstUses.push(peer) });
    const alice = await named('alice');
    expect(await policy.admit(alice, request)).toEqual(admit());
    expect(await policy.admit(alice, request)).toEqual(admit());
    expect(firstUses).toEqual([alice]);
    expect((await knownPeers.get('alice'))?.equals(alice)).toBe(true);
  });

  it('refuses a known name presenting another key, loudly, and keeps the known key', async () => {
    const alice = await named('alice');
    const knownPeers = memoryKnownPeers([alice]);
    const changes: string[] = [];
    const policy = trustOnFirstUse({
      knownPeers,
      onKeyChange: (event) => changes.push(event.presented.fingerprint),
    });
    const impostor = await named('alice');
    const decision = await policy.admit(impostor, request);
    expect(decision.admitted).toBe(false);
    expect(decision.admitted ? '' : decision.reason).toMatch(
      new RegExp(
        `public key of known peer "alice" changed: known fingerprint ${alice.fingerprint}, presented ${impostor.fingerprint}`,
      ),
    );
    expect(decision.admitted ? undefined : decision.code).toBe('key-changed');
    expect(changes).toEqual([impostor.fingerprint]);
    expect((await knownPeers.get('alice'))?.equals(alice)).toBe(true);
  });

  it('refuses a peer without a display name', async () => {
    const decision = await trustOnFirstUse({ knownPeers: memoryKnownPeers() }).admit(await named(), request);
    expect(decision).toEqual(
      refuse(
        'no-display-name: trust on first use needs a display name, and this peer has none',
        'no-display-name',
      ),
    );
  });

  it('lets only one of two concurrent first sessions under the same name in', async () => {
    const policy = trustOnFirstUse({ knownPeers: memoryKnownPeers() });
    const [first, second] = [await named('bob'), await named('bob')];
    const decisions = await Promise.all([policy.admit(first, request), policy.admit(second, request)]);
    expect(decisions.map((decision) => decision.admitted)).toEqual([true, false]);
  });
});

describe('trustOnFirstUse bounds', () => {
  it('a store at maxKnownPeers refuses a new name, naming the limit and the fix, and still admits known peers', async () => {
    const [alice, bob] = [await named('alice'), await named('bob')];
    const knownPeers = memoryKnownPeers([alice, bob]);
    const firstUses: PublicIdentity[] = [];
    const policy = trustOnFirstUse({
      knownPeers,
      maxKnownPeers: 2,
      onFirstUse: (peer) => firstUses.push(peer),
    });
    const decision = await policy.admit(await named('carol'), request);
    expect(decision.admitted ? undefined : decision.code).toBe('known-peers-full');
    expect(decision.admitted ? '' : decision.reason).toMatch(
      /^known-peers-full: the known-peers store holds 2 peers, at its limit of 2 \(trustOnFirstUse's maxKnownPeers\).*remove unused entries from the store or raise maxKnownPeers/,
    );
    expect(await policy.admit(alice, request)).toEqual(admit());
    expect(await policy.admit(bob, request)).toEqual(admit());
    expect(await knownPeers.list()).toHaveLength(2);
    expect(firstUses).toEqual([]);
    // One place more lets exactly one new name in.
    const roomier = trustOnFirstUse({ knownPeers, maxKnownPeers: 3 });
    expect(await roomier.admit(await named('carol'), request)).toEqual(admit());
    expect((await roomier.admit(await named('dave'), request)).admitted).toBe(false);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses maxKnownPeers %s', (maxKnownPeers) => {
    expect(() => trustOnFirstUse({ knownPeers: memoryKnownPeers(), maxKnownPeers })).toThrow(
      new RangeError(`expected maxKnownPeers to be a whole number of 0 or more, but got ${maxKnownPeers}`),
    );
  });

  it('admits a known key under a new name (a player renaming keeps their key), as a new name', async () => {
    const alice = await named('alice');
    const knownPeers = memoryKnownPeers([alice]);
    const policy = trustOnFirstUse({ knownPeers, maxKnownPeers: 2 });
    expect(await policy.admit(alice.withName('alicia'), request)).toEqual({ admitted: true });
    expect((await knownPeers.list()).map((peer) => peer.name)).toEqual(['alice', 'alicia']);
    // The store is full: another new name under that key waits for room like any other.
    expect(await policy.admit(alice.withName('ally'), request)).toMatchObject({ code: 'known-peers-full' });
  });

  it('does not run a queued decision whose session ended while it waited', async () => {
    let release = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store = memoryKnownPeers();
    const lookups: string[] = [];
    // The first lookup waits, so the second decision queues behind it.
    const knownPeers: KnownPeers = {
      async get(name) {
        lookups.push(name);
        if (lookups.length === 1) await blocked;
        return await store.get(name);
      },
      set: (name, identity) => store.set(name, identity),
      list: () => store.list(),
    };
    const policy = trustOnFirstUse({ knownPeers });
    const [alice, bob] = [await named('alice'), await named('bob')];
    const session = new AbortController();
    const first = policy.admit(alice, request);
    const queued = policy.admit(bob, { ...request, signal: session.signal });
    session.abort(new Error('handshake timed out'));
    release();
    expect(await first).toEqual(admit());
    await expect(queued).rejects.toThrow('handshake timed out');
    expect(lookups).toEqual(['alice']);
    expect(await store.get('bob')).toBeUndefined();
  });
});

describe('trustOnFirstUse with look-alike names', () => {
  const lookAlikes: readonly (readonly [string, string])[] = [
    ['another case', 'Alice'],
    ['a zero-width space', 'ali\u200bce'],
    ['a zero-width joiner', 'alic\u200de'],
    ['a Cyrillic а', '\u0430lice'],
    ['a Cyrillic е and о-less spelling', 'alic\u0435'],
    ['a Greek ι', 'al\u03b9ce'],
    ['a capital I for l', 'aIice'],
    ['the digit 1 for l', 'a1ice'],
    ['full-width letters', '\uff41\uff4c\uff49\uff43\uff45'],
    ['an accent', 'alic\u00e9'],
    ['a decomposed accent', 'alic\u0065\u0301'],
  ];

  it.each(lookAlikes)(
    'refuses a new name with %s next to a known alice (confusable-name)',
    async (_what, name) => {
      const alice = await named('alice');
      const knownPeers = memoryKnownPeers([alice]);
      const events: string[] = [];
      const policy = trustOnFirstUse({
        knownPeers,
        onConfusableName: (event) => events.push(`${event.name} ~ ${event.known.name}`),
      });
      const impostor = await named(name);
      const decision = await policy.admit(impostor, request);
      expect(decision.admitted).toBe(false);
      if (decision.admitted) return;
      expect(decision.code).toBe('confusable-name');
      expect(decision.reason).toMatch(/^confusable-name: .* looks like known peer "alice"/);
      expect(decision.reason).toContain(alice.fingerprint);
      expect(events).toEqual([`${name.normalize('NFC')} ~ alice`]);
      expect(await knownPeers.list()).toHaveLength(1);
    },
  );

  it('treats a decomposed é as the same name as a precomposed one (a key change, not a new name)', async () => {
    const jose = await named('jos\u00e9');
    const policy = trustOnFirstUse({ knownPeers: memoryKnownPeers([jose]) });
    expect(await policy.admit(jose.withName('jos\u0065\u0301'), request)).toEqual(admit());
    const decision = await policy.admit(await named('jos\u0065\u0301'), request);
    expect(decision.admitted ? undefined : decision.code).toBe('key-changed');
  });

  it('admits the known key under a look-alike spelling, and names that only share letters', async () => {
    const alice = await named('alice');
    const knownPeers = memoryKnownPeers([alice]);
    const policy = trustOnFirstUse({ knownPeers });
    expect(await policy.admit(alice.withName('Alice'), request)).toEqual(admit());
    for (const name of ['alicia', 'bob', 'malice', 'ali ce'])
      expect(await policy.admit(await named(name), request), name).toEqual(admit());
    expect(await knownPeers.list()).toHaveLength(5);
  });

  it('skeletons fold case, invisible characters, accents and look-alikes, and nothing else', () => {
    expect(displayNameSkeleton('\u0410LI\u200bC\u0415')).toBe('aiice');
    expect(displayNameSkeleton('  Zo\u00eb  ')).toBe('zoe');
    expect(areConfusableNames('paypal', '\u0440\u0430yp\u0430l')).toBe(true);
    expect(areConfusableNames('bob', 'rob')).toBe(false);
    expect(normalizeDisplayName('e\u0301')).toBe('\u00e9');
  });
});

describe('customAdmission', () => {
  it('maps true, false and decisions, and passes the request', async () => {
    const seen: AdmissionRequest[] = [];
    const peer = await named('x');
    const yes = customAdmission(async (_peer, given) => {
      seen.push(given);
      return true;
    });
    expect(await yes.admit(peer, request)).toEqual(admit());
    expect(seen).toEqual([request]);
    expect(await customAdmission(() => false).admit(peer, request)).toEqual(
      refuse('refused by the admission policy'),
    );
    expect(await customAdmission(() => refuse('full')).admit(peer, request)).toEqual(refuse('full'));
  });
});
