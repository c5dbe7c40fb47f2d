import { describe, expect, it } from 'vitest';
import { Identity, IdentityFormatError, PublicIdentity, validateDisplayName } from '../src/index.ts';

// RFC 8032 §7.1, test 1: a published key pair, so the key derivation is checked against the spec.
const rfcSecretKey = Uint8Array.from(
  Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
);
const rfcPublicKey = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const rfcSignatureOfEmptyMessage =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

describe('Identity', () => {
  it('derives the RFC 8032 public key and signature from the RFC 8032 secret key', async () => {
    const identity = await Identity.fromSecretKey(rfcSecretKey);
    expect(Buffer.from(identity.publicIdentity.publicKey).toString('hex')).toBe(rfcPublicKey);
    const signature = await identity.sign(new Uint8Array(0));
    expect(Buffer.from(signature).toString('hex')).toBe(rfcSignatureOfEmptyMessage);
    expect(await identity.publicIdentity.verify(new Uint8Array(0), signature)).toBe(true);
  });

  it('has a stable fingerprint: 32 base32 characters in groups of four', async () => {
    const identity = await Identity.fromSecretKey(rfcSecretKey, { name: 'rfc' });
    // Computed independently (Python hashlib + base64.b32encode) from the RFC key; changing how
    // fingerprints are computed would orphan every allow list and known-peers file.
    expect(identity.fingerprint).toBe(identity.publicIdentity.fingerprint);
    expect(identity.fingerprint).toMatch(/^([a-z2-7]{4}-){7}[a-z2-7]{4}$/);
    expect(identity.fingerprint).toBe('6naa-7xdh-f73k-gzio-tmh3-7ydg-3642-ols3');
    expect(`${identity.publicIdentity}`).toBe(`rfc (${identity.fingerprint})`);
  });

  it('generates distinct key pairs', async () => {
    const [first, second] = await Promise.all([Identity.generate(), Identity.generate()]);
    expect(first.publicIdentity.equals(second.publicIdentity)).toBe(false);
    expect(first.name).toBeUndefined();
  });

  it('never shows its secret key when logged or serialised', async () => {
    const identity = await Identity.fromSecretKey(rfcSecretKey, { name: 'alice' });
    const secretBase64 = Buffer.from(rfcSecretKey).toString('base64url');
    const shown = [
      JSON.stringify(identity),
      String(identity),
      (await import('node:util')).inspect(identity, { depth: 5 }),
    ];
    for (const text of shown) {
      expect(text).not.toContain(secretBase64);
      expect(text).not.toContain('9d61b19d');
    }
    expect(Buffer.from(identity.exportSecretKey()).equals(Buffer.from(rfcSecretKey))).toBe(true);
  });

  it('refuses a secret key of the wrong length', async () => {
    await expect(Identity.fromSecretKey(new Uint8Array(31))).rejects.toMatchObject({
      name: 'IdentityFormatError',
      code: 'secret-key',
      message: 'expected a 32-byte ed25519 secret key, got 31 bytes',
    });
  });

  it('keeps its key and changes only the name with withName', async () => {
    const identity = await Identity.generate({ name: 'old' });
    const renamed = identity.withName('new');
    expect(renamed.publicIdentity.equals(identity.publicIdentity)).toBe(true);
    expect(renamed.name).toBe('new');
    expect(identity.name).toBe('old');
  });
});

describe('PublicIdentity', () => {
  it('round-trips through its text form and matches by key or by fingerprint', async () => {
    const identity = (await Identity.generate({ name: 'alice' })).publicIdentity;
    const parsed = PublicIdentity.fromText(identity.publicKeyText);
    expect(identity.publicKeyText).toMatch(/^ed25519:[A-Za-z0-9_-]{43}$/);
    expect(parsed.equals(identity)).toBe(true);
    expect(parsed.name).toBeUndefined();
    expect(identity.matches(identity.publicKeyText)).toBe(true);
    expect(identity.matches(identity.fingerprint.toUpperCase().replaceAll('-', ' '))).toBe(true);
    expect(identity.matches((await Identity.generate()).fingerprint)).toBe(false);
    expect(identity.toJSON()).toEqual({
      name: 'alice',
      fingerprint: identity.fingerprint,
      publicKey: identity.publicKeyText,
    });
  });

  it('copies key bytes in and out', async () => {
    const bytes = (await Identity.generate()).publicIdentity.publicKey;
    const identity = PublicIdentity.fromPublicKey(bytes);
    bytes[0]! ^= 0xff;
    identity.publicKey[0]! ^= 0xff;
    expect(identity.publicKey[0]).toBe(bytes[0]! ^ 0xff);
  });

  it.each([
    ['a 31-byte key', new Uint8Array(31), /expected a 32-byte ed25519 public key, got 31 bytes/],
    ['the neutral point (small order)', Uint8Array.from([1, ...new Uint8Array(31)]), /small-order/],
    ['a non-canonical encoding', new Uint8Array(32).fill(0xff), /canonical/],
  ])('refuses %s', (_name, bytes, message) => {
    expect(() => PublicIdentity.fromPublicKey(bytes)).toThrow(IdentityFormatError);
    expect(() => PublicIdentity.fromPublicKey(bytes)).toThrow(message);
  });

  it.each(['', 'ed25519:', 'ed25519:abc', 'ssh-ed25519 AAAA', `ed25519:${'A'.repeat(42)}B`])(
    'refuses the key text %j',
    (text) => {
      expect(() => PublicIdentity.fromText(text)).toThrow(IdentityFormatError);
    },
  );

  it('verifies false, without throwing, for a wrong, short or altered signature', async () => {
    const identity = await Identity.generate();
    const message = new TextEncoder().encode('hello');
    const signature = await identity.sign(message);
    expect(await identity.publicIdentity.verify(message, signature)).toBe(true);
    expect(await identity.publicIdentity.verify(message, signature.slice(1))).toBe(false);
    expect(await identity.publicIdentity.verify(new TextEncoder().encode('hellO'), signature)).toBe(false);
    signature[10]! ^= 4;
    expect(await identity.publicIdentity.verify(message, signature)).toBe(false);
  });
});

describe('display names', () => {
  it.each(['alice', 'Ада Лавлейс', '👩‍💻 dev', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(validateDisplayName(name)).toBe(name);
  });

  it.each([
    ['empty', ''],
    ['65 bytes', 'x'.repeat(65)],
    ['a line break', 'alice\nbob'],
    ['a terminal escape', 'alice\u001b[31m'],
    ['a right-to-left override', 'alice\u202ekcab'],
    ['leading white space', ' alice'],
  ])('refuses a name with %s', (_what, name) => {
    expect(() => validateDisplayName(name)).toThrow(IdentityFormatError);
  });
});
