/*
 * Display names compared as a person reads them. Two names are *equal* when their NFC forms are
 * equal (a decomposed `é` is the same name as a precomposed one), and *confusable* when their
 * skeletons are equal: what is left after removing what cannot be seen, folding case and mapping
 * letters that look alike onto one of them (after Unicode TS #39 "skeleton", with a small table of
 * the Cyrillic and Greek letters that pass for Latin ones, not the whole confusables data).
 */

/**
 * Characters that render as nothing: default-ignorable code points (zero-width space and joiners,
 * soft hyphen, word joiner, BOM, variation selectors, bidirectional marks, ...), other format
 * characters and controls.
 */
const invisible = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}]/gu;

/** Combining marks, dropped after decomposition (so `é` and `e` share a skeleton). */
const combiningMarks = /\p{M}/gu;

/**
 * Look-alikes, mapped to the Latin letter they pass for (lower case: the skeleton is case-folded
 * first). Cyrillic and Greek letters shaped like Latin ones, and the digits and Latin letters that
 * are told apart only by font (`0`/`o`, `1`/`l`/`i`).
 */
const homoglyphs: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  ӏ: 'i',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  ɡ: 'g',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  ϲ: 'c',
  ϳ: 'j',
  ω: 'w',
  // Latin and digits told apart only by the font
  '0': 'o',
  '1': 'i',
  l: 'i',
  '|': 'i',
  '5': 's',
  $: 's',
  '@': 'a',
};

/**
 * The canonical form of a display name: Unicode NFC. Names are stored, looked up and compared in
 * this form, so a name typed with a decomposed accent is the same name.
 */
export function normalizeDisplayName(name: string): string {
  return name.normalize('NFC');
}

/**
 * The skeleton of a display name: two names with one skeleton look alike to a reader. Steps:
 * compatibility decomposition (NFKD: full-width and styled letters become plain ones), invisible
 * characters and combining marks removed, case folded, look-alike letters mapped onto the Latin
 * letter they pass for, white space collapsed.
 *
 * Not a general confusables check: it covers the tricks that work against a name list (case,
 * invisible characters, accents, Cyrillic/Greek look-alikes, `0`/`o` and `1`/`l`).
 */
export function displayNameSkeleton(name: string): string {
  const folded = name
    .normalize('NFKD')
    .replace(invisible, '')
    .replace(combiningMarks, '')
    // toUpperCase first folds what lower-casing alone keeps apart (ß → SS → ss, final sigma).
    .toUpperCase()
    .toLowerCase();
  let skeleton = '';
  for (const character of folded) skeleton += homoglyphs[character] ?? character;
  return skeleton.replace(/\s+/gu, ' ').trim();
}

/** Whether two display names look alike to a reader (equal {@link displayNameSkeleton}s). */
export function areConfusableNames(first: string, second: string): boolean {
  return displayNameSkeleton(first) === displayNameSkeleton(second);
}
