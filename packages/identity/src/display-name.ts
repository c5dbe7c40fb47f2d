import { utf8Encode } from './bytes.ts';
import { IdentityFormatError } from './identity-format-error.ts';

/** The longest display name, in UTF-8 bytes (it travels in the handshake behind a one-byte length). */
export const MAX_DISPLAY_NAME_BYTES = 64;

/**
 * Checks a display name and returns it unchanged: 1 to {@link MAX_DISPLAY_NAME_BYTES} UTF-8 bytes,
 * no control characters, no leading or trailing white space (so a name printed next to a fingerprint
 * cannot hide a line break or pose as another name).
 *
 * A display name is self-asserted by its owner: it is signed in the handshake but nobody vouches for
 * it. Trust decisions use the public key; the name is a label (and the key of trust on first use).
 *
 * @throws {IdentityFormatError} code `name` when the name breaks a rule.
 */
export function validateDisplayName(name: string): string {
  const length = utf8Encode(name).length;
  if (length === 0 || length > MAX_DISPLAY_NAME_BYTES) {
    throw new IdentityFormatError(
      'name',
      `expected a display name of 1 to ${MAX_DISPLAY_NAME_BYTES} UTF-8 bytes, got ${length} bytes`,
    );
  }
  // Cc: controls (line breaks, terminal escapes); then the bidirectional marks and overrides that can
  // make a name display as another one. Other format characters (emoji joiners) are allowed.
  if (/[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(name)) {
    throw new IdentityFormatError(
      'name',
      `expected a display name without control characters, got ${JSON.stringify(name)}`,
    );
  }
  if (name.trim() !== name) {
    throw new IdentityFormatError(
      'name',
      `expected a display name without leading or trailing white space, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}
