import { describe, expect, it } from 'vitest';
import {
  type AdmissionRequest,
  admit,
  allowAll,
  allowList,
  customAdmission,
  Identity,
  IdentityFormatError,
  memoryKnownPeers,
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
    expect(changes).toEqual([impostor.fingerprint]);
    expect((await knownPeers.get('alice'))?.equals(alice)).toBe(true);
  });

  it('refuses a peer without a display name', async () => {
    const decision = await trustOnFirstUse({ knownPeers: memoryKnownPeers() }).admit(await named(), request);
    expect(decision).toEqual(refuse('trust on first use needs a display name, and this peer has none'));
  });

  it('lets only one of two concurrent first sessions under the same name in', async () => {
    const policy = trustOnFirstUse({ knownPeers: memoryKnownPeers() });
    const [first, second] = [await named('bob'), await named('bob')];
    const decisions = await Promise.all([policy.admit(first, request), policy.admit(second, request)]);
    expect(decisions.map((decision) => decision.admitted)).toEqual([true, false]);
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
