/*
 * The text rules of the lobby: what a player may put in a game name, a player name or a chat line.
 * Text arrives from other players and ends up in the server's log and in other players'
 * terminals and pages, so it is cleaned before anything else sees it:
 *
 * - normalised to NFC (one spelling per name: `é` precomposed or decomposed is one name);
 * - stripped of what renders as nothing or rearranges what follows: control characters (terminal
 *   escapes, line breaks), bidirectional controls, zero-width and other format characters,
 *   default-ignorable code points;
 * - names: white space runs collapsed to one space; chat: the same (one line per message);
 * - trimmed, then 1 to `maxLength` characters (code points).
 *
 * A string far longer than the limit is refused before it is normalised, so the cost of
 * cleaning is bounded by the limit, not by what was sent.
 */

/** What is removed from every text: controls, format characters, default-ignorables, bidi controls. */
const invisible = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/gu;
/** Line breaks and other white space controls, each shown as a space in a printed line. */
const lineBreaks = /[\t\n\v\f\r\u0085\p{Zl}\p{Zp}]/gu;
/** White space runs (including the Unicode spaces), collapsed to one space. */
const spaces = /[\s\p{Zs}]+/gu;

/** Longest game name, in characters. */
export const maxGameNameLength = 40;
/** Longest player name in a slot, in characters. */
export const maxPlayerNameLength = 24;
/** Longest chat line, in characters. */
export const maxChatLength = 200;

/** Text as the rules above clean it (without the length check). */
export function cleanText(text: string): string {
  // White space first (a tab or line break becomes a space), then what is left of the controls.
  return text.normalize('NFC').replace(spaces, ' ').replace(invisible, '').trim();
}

/**
 * The cleaned text, or why it is refused.
 *
 * @returns `{ text }` or `{ problem }` (a sentence saying what was expected and what came)
 */
export function checkText(
  value: unknown,
  maxLength: number,
  what: string,
): { readonly text: string } | { readonly problem: string } {
  if (typeof value !== 'string')
    return { problem: `expected ${what} (a string), got ${describeType(value)}` };
  // Each character may take two UTF-16 units, and invisible ones are dropped: allow some slack, no more.
  if (value.length > maxLength * 4) {
    return { problem: `expected ${what} of 1 to ${maxLength} characters, got ${value.length} UTF-16 units` };
  }
  const text = cleanText(value);
  const length = [...text].length;
  if (length === 0 || length > maxLength) {
    return {
      problem: `expected ${what} of 1 to ${maxLength} visible characters, got ${length}${length === 0 ? ' (after removing control and invisible characters)' : ''}`,
    };
  }
  return { text };
}

/**
 * A line safe to print on a terminal or write to a log: controls and invisible characters removed
 * (escapes shown as nothing, each line break or tab as a space; other spacing kept). For text that did not pass {@link checkText}
 * (peer names, error messages, reasons).
 */
export function printable(line: string): string {
  return line.replace(lineBreaks, ' ').replace(invisible, '');
}

function describeType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
