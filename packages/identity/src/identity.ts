import * as ed25519 from '@noble/ed25519';
import { IdentityFormatError } from './identity-format-error.ts';
import { PublicIdentity } from './public-identity.ts';

/** Length of an ed25519 secret key (the RFC 8032 seed), in bytes. */
export const SECRET_KEY_LENGTH = 32;

/** Options of {@link Identity.generate} and {@link Identity.fromSecretKey}. */
export interface IdentityOptions {
  /** A display name sent to peers with the public key (self-asserted). Default: none. */
  readonly name?: string | undefined;
}

/**
 * A WebCrypto key pair, as `crypto.subtle.generateKey({ name: 'Ed25519' }, ...)` makes it: the DOM library's
 * `CryptoKeyPair`, Node's `webcrypto.CryptoKeyPair`. Spelled through the global `crypto`, which both declare, so
 * this package's types need neither the DOM library (a Node project) nor `@types/node` (a browser project).
 */
export interface WebCryptoKeyPair {
  readonly publicKey: WebCryptoKey;
  readonly privateKey: WebCryptoKey;
}

/** A WebCrypto key: `CryptoKey` in browsers, `webcrypto.CryptoKey` on Node. */
type WebCryptoKey = Parameters<typeof crypto.subtle.sign>[1];

/**
 * An ed25519 key pair: who this party is. It signs the session handshake; peers see its
 * {@link publicIdentity}.
 *
 * The secret key lives in a private field, so logging or serialising an `Identity` never prints it;
 * {@link exportSecretKey} is the one deliberate way out (used to save it to a file). Signing uses the
 * platform's WebCrypto SHA-512 (`crypto.subtle`), so the same code runs in browsers and on Node.
 * An identity made with {@link fromCryptoKeyPair} holds a WebCrypto key instead (which may be
 * non-extractable, so that not even a script of its own page can read the secret) and signs with
 * `crypto.subtle.sign('Ed25519', …)`: the same RFC 8032 signatures.
 */
export class Identity {
  /** The RFC 8032 seed, or a WebCrypto Ed25519 private key (see {@link fromCryptoKeyPair}). */
  readonly #secretKey: Uint8Array | CryptoKey;
  /** The public half: key, fingerprint and display name. */
  readonly publicIdentity: PublicIdentity;

  private constructor(secretKey: Uint8Array | CryptoKey, publicIdentity: PublicIdentity) {
    this.#secretKey = secretKey;
    this.publicIdentity = publicIdentity;
  }

  /**
   * A new identity from 32 bytes of cryptographically secure randomness
   * (`crypto.getRandomValues`).
   *
   * @throws {IdentityFormatError} code `name` when `options.name` breaks the display-name rules.
   */
  static async generate(options: IdentityOptions = {}): Promise<Identity> {
    return Identity.fromSecretKey(ed25519.utils.randomSecretKey(), options);
  }

  /**
   * The identity whose secret key (RFC 8032 seed) is `secretKey` (32 bytes, copied).
   *
   * @throws {IdentityFormatError} code `secret-key` for a wrong length; code `name` for a bad name.
   */
  static async fromSecretKey(secretKey: Uint8Array, options: IdentityOptions = {}): Promise<Identity> {
    if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_LENGTH) {
      const got = secretKey instanceof Uint8Array ? `${secretKey.length} bytes` : typeof secretKey;
      throw new IdentityFormatError(
        'secret-key',
        `expected a ${SECRET_KEY_LENGTH}-byte ed25519 secret key, got ${got}`,
      );
    }
    const copy = secretKey.slice();
    const publicKey = await ed25519.getPublicKeyAsync(copy);
    return new Identity(copy, PublicIdentity.fromPublicKey(publicKey, options.name));
  }

  /**
   * The identity of a WebCrypto Ed25519 key pair, for a browser that keeps its identity across page
   * loads: make the pair non-extractable (`crypto.subtle.generateKey({ name: 'Ed25519' }, false,
   * ['sign', 'verify'])`) and store it in IndexedDB, which keeps a `CryptoKey` as it is (its secret
   * never becomes bytes a script could read or send). The pair is checked once: the private key
   * signs a message the public key must verify.
   *
   * @throws {IdentityFormatError} code `secret-key` when the pair is not an Ed25519 private key
   *   allowed to sign and its matching public key; code `name` for a bad name.
   */
  static async fromCryptoKeyPair(
    keyPair: WebCryptoKeyPair,
    options: IdentityOptions = {},
  ): Promise<Identity> {
    const { privateKey, publicKey } = keyPair ?? {};
    if (
      !isEd25519Key(privateKey, 'private') ||
      !privateKey.usages.includes('sign') ||
      !isEd25519Key(publicKey, 'public')
    ) {
      throw new IdentityFormatError(
        'secret-key',
        "expected an Ed25519 CryptoKeyPair whose private key may 'sign' (crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']))",
      );
    }
    const publicBytes = new Uint8Array(await crypto.subtle.exportKey('raw', publicKey));
    const identity = new Identity(privateKey, PublicIdentity.fromPublicKey(publicBytes, options.name));
    const probe = crypto.getRandomValues(new Uint8Array(32));
    if (!(await ed25519.verifyAsync(await identity.sign(probe), probe, publicBytes))) {
      throw new IdentityFormatError(
        'secret-key',
        "expected the CryptoKeyPair's private key to match its public key, but its signature does not verify",
      );
    }
    return identity;
  }

  /** The display name, or `undefined`. */
  get name(): string | undefined {
    return this.publicIdentity.name;
  }

  /** The fingerprint of the public key (see {@link PublicIdentity.fingerprint}). */
  get fingerprint(): string {
    return this.publicIdentity.fingerprint;
  }

  /** A 64-byte ed25519 signature (RFC 8032, deterministic) of `message`. */
  async sign(message: Uint8Array): Promise<Uint8Array> {
    if (this.#secretKey instanceof Uint8Array) return ed25519.signAsync(message, this.#secretKey);
    return new Uint8Array(
      await crypto.subtle.sign('Ed25519', this.#secretKey, message as Uint8Array<ArrayBuffer>),
    );
  }

  /** The same key pair with another display name (or none). */
  withName(name: string | undefined): Identity {
    return new Identity(this.#secretKey, this.publicIdentity.withName(name));
  }

  /**
   * A copy of the 32-byte secret key. Whoever holds it can act as this identity: store it only
   * where the owner alone can read it (`saveIdentity` from `@msc/identity/node` writes mode 0600).
   *
   * @throws {IdentityFormatError} code `secret-key` for an identity made with
   *   {@link fromCryptoKeyPair}: its secret is a `CryptoKey`; store the key pair itself (IndexedDB).
   */
  exportSecretKey(): Uint8Array {
    if (this.#secretKey instanceof Uint8Array) return this.#secretKey.slice();
    throw new IdentityFormatError(
      'secret-key',
      'expected an identity with a byte secret key, but this one holds a WebCrypto CryptoKey: store its CryptoKeyPair (in IndexedDB) instead of exporting it',
    );
  }

  /** The public identity as text; the secret key is never part of it. */
  toString(): string {
    return `Identity ${this.publicIdentity.toString()}`;
  }

  /** The public identity only, so `JSON.stringify(identity)` cannot leak the secret key. */
  toJSON(): ReturnType<PublicIdentity['toJSON']> {
    return this.publicIdentity.toJSON();
  }
}

/** Whether `key` is a WebCrypto Ed25519 key of `type` (checked before any WebCrypto call sees it). */
function isEd25519Key(key: unknown, type: KeyType): key is CryptoKey {
  return (
    typeof CryptoKey !== 'undefined' &&
    key instanceof CryptoKey &&
    key.type === type &&
    key.algorithm.name === 'Ed25519'
  );
}
