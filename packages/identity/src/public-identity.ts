import * as ed25519 from '@noble/ed25519';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  base32Encode,
  base64UrlDecode,
  base64UrlEncode,
  bytesEqual,
  concatBytes,
  utf8Encode,
} from './bytes.ts';
import { validateDisplayName } from './display-name.ts';
import { IdentityFormatError } from './identity-format-error.ts';

/** Length of an ed25519 public key, in bytes. */
export const PUBLIC_KEY_LENGTH = 32;
/** Length of an ed25519 signature, in bytes. */
export const SIGNATURE_LENGTH = 64;

/** The prefix of {@link PublicIdentity.publicKeyText}. */
const PUBLIC_KEY_TEXT_PREFIX = 'ed25519:';
// Domain separation: a fingerprint is a hash of the key under this label only, so it can never be
// confused with any other SHA-256 the system computes over the same 32 bytes.
const FINGERPRINT_DOMAIN = utf8Encode('msc-identity fingerprint v1\0');
/** Bytes of the SHA-256 kept in a fingerprint: 160 bits, 32 base32 characters. */
const FINGERPRINT_BYTES = 20;

/**
 * The public half of an identity: an ed25519 public key, its fingerprint, and an optional
 * self-asserted display name. This is what an authenticated peer looks like (the session's
 * `remoteIdentity(proxy)` returns it), and what allow lists and known-peers files hold.
 *
 * Two public identities are the same party when their keys are equal ({@link equals}); the display
 * name is a label chosen by the key's owner and proves nothing by itself.
 */
export class PublicIdentity {
  readonly #publicKey: Uint8Array;
  /**
   * A stable, human-checkable digest of the public key: the first 160 bits of a domain-separated
   * SHA-256 of the key, in lower-case base32, grouped by four with dashes
   * (`xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`). Read it aloud to compare two parties out of band.
   */
  readonly fingerprint: string;
  /** The owner's display name, or `undefined`. Self-asserted: see {@link validateDisplayName}. */
  readonly name: string | undefined;

  private constructor(publicKey: Uint8Array, name: string | undefined) {
    this.#publicKey = publicKey;
    this.name = name;
    this.fingerprint = computeFingerprint(publicKey);
  }

  /**
   * A public identity for `publicKey` (32 bytes, copied).
   *
   * @throws {IdentityFormatError} code `public-key` when the bytes are not a canonical ed25519 point
   *   or the point has small order (such keys make signatures ambiguous); code `name` when `name`
   *   breaks the display-name rules.
   */
  static fromPublicKey(publicKey: Uint8Array, name?: string): PublicIdentity {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) {
      throw new IdentityFormatError(
        'public-key',
        `expected a ${PUBLIC_KEY_LENGTH}-byte ed25519 public key, got ${describeBytes(publicKey)}`,
      );
    }
    let point: ed25519.Point;
    try {
      point = ed25519.Point.fromBytes(publicKey, false);
    } catch (error) {
      throw new IdentityFormatError(
        'public-key',
        'expected a canonical ed25519 point as public key, got bytes that do not decode to one',
        {
          cause: error,
        },
      );
    }
    if (point.isSmallOrder()) {
      throw new IdentityFormatError(
        'public-key',
        'expected an ed25519 public key of full order, got a small-order point',
      );
    }
    return new PublicIdentity(publicKey.slice(), name === undefined ? undefined : validateDisplayName(name));
  }

  /**
   * Parses the text form written by {@link publicKeyText} (`ed25519:` then 43 characters of
   * base64url).
   *
   * @throws {IdentityFormatError} code `text` when the text has another shape, or the codes of
   *   {@link fromPublicKey}.
   */
  static fromText(text: string, name?: string): PublicIdentity {
    const bytes = text.startsWith(PUBLIC_KEY_TEXT_PREFIX)
      ? base64UrlDecode(text.slice(PUBLIC_KEY_TEXT_PREFIX.length))
      : undefined;
    if (bytes === undefined || bytes.length !== PUBLIC_KEY_LENGTH) {
      throw new IdentityFormatError(
        'text',
        `expected a public key as "${PUBLIC_KEY_TEXT_PREFIX}" followed by 43 base64url characters, got ${JSON.stringify(abbreviate(text))}`,
      );
    }
    return PublicIdentity.fromPublicKey(bytes, name);
  }

  /** The 32 public-key bytes (a copy: the identity stays immutable). */
  get publicKey(): Uint8Array {
    return this.#publicKey.slice();
  }

  /** The public key as text, `ed25519:` followed by unpadded base64url; {@link fromText} reads it. */
  get publicKeyText(): string {
    return PUBLIC_KEY_TEXT_PREFIX + base64UrlEncode(this.#publicKey);
  }

  /** Whether `other` has the same public key (display names are not compared). */
  equals(other: PublicIdentity): boolean {
    return bytesEqual(this.#publicKey, other.#publicKey);
  }

  /**
   * Whether `reference` names this key: either its {@link publicKeyText} or its {@link fingerprint}
   * (case, dashes and white space in a fingerprint are ignored, so a fingerprint typed by hand
   * matches).
   */
  matches(reference: string | PublicIdentity): boolean {
    if (typeof reference !== 'string') return this.equals(reference);
    if (reference.startsWith(PUBLIC_KEY_TEXT_PREFIX)) return reference === this.publicKeyText;
    return normalizeFingerprint(reference) === normalizeFingerprint(this.fingerprint);
  }

  /**
   * Verifies an ed25519 signature (RFC 8032, strict: non-canonical encodings are rejected) over
   * `message` by this key. Resolves `false` for a wrong or malformed signature; never throws for bad
   * input bytes.
   */
  async verify(message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (signature.length !== SIGNATURE_LENGTH) return false;
    try {
      return await ed25519.verifyAsync(signature, message, this.#publicKey, { zip215: false });
    } catch {
      return false;
    }
  }

  /** A copy carrying another display name (or none). */
  withName(name: string | undefined): PublicIdentity {
    return new PublicIdentity(this.#publicKey, name === undefined ? undefined : validateDisplayName(name));
  }

  /** `name (fingerprint)`, or the fingerprint alone when there is no name. */
  toString(): string {
    return this.name === undefined ? this.fingerprint : `${this.name} (${this.fingerprint})`;
  }

  /** A plain object for logs and JSON: `{ name?, fingerprint, publicKey }` with the key as text. */
  toJSON(): { name?: string; fingerprint: string; publicKey: string } {
    return {
      ...(this.name === undefined ? {} : { name: this.name }),
      fingerprint: this.fingerprint,
      publicKey: this.publicKeyText,
    };
  }
}

/** Fingerprint text without grouping and case: what two fingerprints are compared by. */
function normalizeFingerprint(text: string): string {
  return text.toLowerCase().replace(/[\s-]/g, '');
}

function computeFingerprint(publicKey: Uint8Array): string {
  const digest = sha256(concatBytes(FINGERPRINT_DOMAIN, publicKey)).subarray(0, FINGERPRINT_BYTES);
  return (base32Encode(digest).match(/.{4}/g) ?? []).join('-');
}

function describeBytes(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
}

function abbreviate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
