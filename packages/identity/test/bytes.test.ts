import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base32Encode, base64UrlDecode, base64UrlEncode } from '../src/bytes.ts';

// The codecs are written here instead of taken from @scure/base (see the header of src/bytes.ts);
// these tests hold them to the standard's vectors and to Node's built-in base64url.

const text = new TextEncoder();

/** RFC 4648 §10 test vectors, lower case and without padding as this package writes them. */
const rfc4648: readonly (readonly [string, string, string])[] = [
  ['', '', ''],
  ['f', 'my', 'Zg'],
  ['fo', 'mzxq', 'Zm8'],
  ['foo', 'mzxw6', 'Zm9v'],
  ['foob', 'mzxw6yq', 'Zm9vYg'],
  ['fooba', 'mzxw6ytb', 'Zm9vYmE'],
  ['foobar', 'mzxw6ytboi', 'Zm9vYmFy'],
];

describe('base32 and base64url', () => {
  it.each(rfc4648)('encode RFC 4648 vector %j', (input, base32, base64url) => {
    const bytes = text.encode(input);
    expect(base32Encode(bytes)).toBe(base32);
    expect(base64UrlEncode(bytes)).toBe(base64url);
    expect(base64UrlDecode(base64url)).toEqual(bytes);
  });

  it("agree with Node's built-in base64url on random inputs, both ways", () => {
    for (let length = 0; length <= 70; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const expected = Buffer.from(bytes).toString('base64url');
      expect(base64UrlEncode(bytes)).toBe(expected);
      expect(base64UrlDecode(expected)).toEqual(bytes);
    }
    expect(base64UrlEncode(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
  });

  it('base64url decoding refuses every text that is not the one canonical encoding', () => {
    expect(base64UrlDecode('Zh')).toBeUndefined(); // non-zero trailing bits ('f' is 'Zg')
    expect(base64UrlDecode('Zg==')).toBeUndefined(); // padding
    expect(base64UrlDecode('Zm9vY')).toBeUndefined(); // impossible length
    expect(base64UrlDecode('+_8')).toBeUndefined(); // standard alphabet
    expect(base64UrlDecode('Zm 9v')).toBeUndefined(); // whitespace
  });
});
