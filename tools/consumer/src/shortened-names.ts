/**
 * Names a published declaration must not contain: every build shortens a property whose name ends in `_`
 * (config/internal-properties.js), so a `.d.ts` that declares one offers a member the JavaScript does not have. A
 * package keeps them out by tagging each such member `@internal` and building its declarations with
 * `stripInternal` (see packages/session/tsconfig.src.json).
 */
// @ts-expect-error: a plain JavaScript module of the repository's build config, without declarations
import { internalPropertyCache } from '../../../config/internal-properties.js';

/** Every name the builds shorten, from the cache they share. */
export function shortenedNames(): string[] {
  return Object.keys(internalPropertyCache() as Record<string, string>);
}

/**
 * The names of `names` that `declarations` (the text of a `.d.ts` file) declares or uses as a whole identifier,
 * outside comments (a comment may mention one: that offers nothing).
 *
 * @returns each such name once, in the order of `names`
 */
export function shortenedNamesIn(declarations: string, names: readonly string[]): string[] {
  const code = declarations.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return names.filter((name) => new RegExp(`(?<![\\w$])${name.replaceAll('$', '\\$')}(?![\\w$])`).test(code));
}
