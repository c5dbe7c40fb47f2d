/**
 * `text` safe for a terminal and one line: control characters (escapes, newlines, bidi overrides)
 * are shown as `\u{…}` and the text is cut at `max` characters.
 */
export function printable(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // C0, DEL, C1, and the Unicode bidi/format controls that can reorder a terminal line.
  return cut.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (character) => `\\u{${character.codePointAt(0)!.toString(16)}}`,
  );
}
