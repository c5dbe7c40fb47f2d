// Internal property names: a property or method whose name ends in `_` (`receiveCall_`) is internal to the one
// package that declares it, so a build may shorten it. Every package build (rollup.shared.js) and the size
// measurement of the minimal browser client (tools/bench/src/size/bundle-size.ts) give esbuild the same
// `mangleProps` and the same complete cache, so each module of dist/ (built one by one, preserveModules) names a
// property as every other module does, and a page's bundle carries two-character names instead of words.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which property names a build shortens. */
export const internalProperties = /_$/;

const packagesFolder = fileURLToPath(new URL('../packages/', import.meta.url));

/**
 * An internal name in a property position: after `.` (`a.name_`, `a?.name_`); after `{` or `,`, the start of a
 * line or a member modifier, then followed by what follows a member or key (`name_(`, `name_:`, `name_ =`,
 * `name_?`, `name_<`, `name_!`, `name_;`, `name_,`, `name_}`, or the end of the line: class and interface members,
 * object literal keys, destructured properties). `#private` names and names starting with `_` are not listed.
 */
export const propertyName =
  /(?<=\.)([A-Za-z$][\w$]*[A-Za-z0-9$]_)(?![\w$])|(?<=[{,]\s*|^[ \t]*(?:(?:readonly|static|public|private|protected|abstract|override|declare|accessor|get|set|async)\s+)*\*?)([A-Za-z$][\w$]*[A-Za-z0-9$]_)(?=\s*[(:=?<!;,}]|\s*$)/gm;

/** Every `.ts` file under `folder`. */
function sourceFiles(folder) {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The cache every build shares: each internal name of any package's sources, sorted, mapped to `$` and its index in
 * base 36. Names are found in property positions ({@link propertyName}), a superset of what esbuild renames, which
 * is harmless; a local variable, a parameter or a string (`'WS_ERR_'`) is not a property and is not listed.
 *
 * @returns esbuild's `mangleCache`
 * @throws Error when one internal name appears in two packages: it would then cross a package boundary, where
 *   separately published builds cannot promise one spelling; and when a source reads or writes `.name_` with a name
 *   that starts with `_` (`object.__proto_`): esbuild would shorten it, differently in each module, where the
 *   package means that very key (write it quoted: `object['__proto_']`)
 */
export function internalPropertyCache() {
  const owner = new Map();
  for (const folder of readdirSync(packagesFolder)) {
    let files;
    try {
      files = sourceFiles(join(packagesFolder, folder, 'src'));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const unlisted = /(?<=\.)(_[\w$]*_)(?![\w$])/.exec(text);
      if (unlisted !== null) {
        throw new Error(
          `expected no property ${unlisted[1]} in ${file}: every build would shorten it; write it quoted (object['${unlisted[1]}']) to keep the key`,
        );
      }
      for (const match of text.matchAll(propertyName)) {
        const name = match[1] ?? match[2];
        const first = owner.get(name);
        if (first === undefined) owner.set(name, folder);
        else if (first !== folder) {
          throw new Error(
            `expected the internal property ${name} in one package, but packages/${first} and packages/${folder} use it; rename one (names ending in _ are shortened per package)`,
          );
        }
      }
    }
  }
  return Object.fromEntries([...owner.keys()].sort().map((name, index) => [name, `$${index.toString(36)}`]));
}
