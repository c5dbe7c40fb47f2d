// Identity.fromCryptoKeyPair: a WebCrypto Ed25519 key pair (what a browser keeps in IndexedDB,
// non-extractable) makes the same identity and the same RFC 8032 signatures as its byte seed.
import { describe, expect, it } from 'vitest';
import { Identity, IdentityFormatError } from '../src/index.ts';

// RFC 8032 §7.1, test 1, as a JWK (d: the seed, x: the public key), imported non-extractable.
const rfcSeed = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const rfcPublicKey = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const base64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

async function rfcKeyPair(): Promise<CryptoKeyPair> {
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: base64url(rfcPublicKey) };
  const privateKey = await crypto.subtle.importKey(
    'jwk',
    { ...jwk, d: base64url(rfcSeed) },
    'Ed25519',
    false,
    ['sign'],
  );
  const publicKey = await crypto.subtle.importKey('jwk', jwk, 'Ed25519', true, ['verify']);
  return { privateKey, publicKey };
}

describe('Identity.fromCryptoKeyPair', () => {
  it('has the fingerprint of the same seed and signs the RFC 8032 signature with a non-extractable key', async () => {
    const pair = await rfcKeyPair();
    expect(pair.privateKey.extractable).toBe(false);
    const fromKey = await Identity.fromCryptoKeyPair(pair, { name: 'rfc' });
    const fromSeed = await Identity.fromSecretKey(Uint8Array.from(Buffer.from(rfcSeed, 'hex')), {
      name: 'rfc',
    });
    expect(fromKey.fingerprint).toBe(fromSeed.fingerprint);
    expect(`${fromKey.publicIdentity}`).toBe(`${fromSeed.publicIdentity}`);
    const message = new TextEncoder().encode('handshake transcript');
    const signature = await fromKey.sign(message);
    expect(Buffer.from(signature).toString('hex')).toBe(
      Buffer.from(await fromSeed.sign(message)).toString('hex'),
    );
    expect(await fromSeed.publicIdentity.verify(message, signature)).toBe(true);
  });

  it('keeps signing with its key under another name, and refuses to export a CryptoKey secret', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
    const identity = (await Identity.fromCryptoKeyPair(pair as CryptoKeyPair, { name: 'ada' })).withName(
      'grace',
    );
    expect(identity.name).toBe('grace');
    const message = new Uint8Array([1, 2, 3]);
    expect(await identity.publicIdentity.verify(message, await identity.sign(message))).toBe(true);
    expect(() => identity.exportSecretKey()).toThrow(/store its CryptoKeyPair/);
    expect(JSON.stringify(identity)).not.toContain('CryptoKey');
  });

  it('refuses what is not an Ed25519 pair allowed to sign, and a pair whose halves do not match', async () => {
    const ecdsa = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    const verifyOnly = await crypto.subtle
      .generateKey({ name: 'Ed25519' }, false, ['verify'])
      .catch(() => undefined);
    const one = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const other = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    for (const pair of [
      ecdsa as CryptoKeyPair,
      { privateKey: one.publicKey, publicKey: one.publicKey },
      { privateKey: new Uint8Array(32), publicKey: one.publicKey } as unknown as CryptoKeyPair,
      undefined as unknown as CryptoKeyPair,
    ]) {
      await expect(Identity.fromCryptoKeyPair(pair)).rejects.toThrow(IdentityFormatError);
    }
    if (verifyOnly !== undefined) {
      await expect(Identity.fromCryptoKeyPair(verifyOnly as CryptoKeyPair)).rejects.toThrow(/may 'sign'/);
    }
    await expect(
      Identity.fromCryptoKeyPair({ privateKey: one.privateKey, publicKey: other.publicKey }),
    ).rejects.toThrow(/does not verify/);
  });
});
