/**
 * What a published tarball of this workspace may hold and what its manifest must say. A user needs the built
 * JavaScript, its declarations, the README, the changelog and the license; anything else (build info, test
 * types, sources, source maps) is weight every install downloads for nothing.
 *
 * Source maps are left out on purpose: `dist/` is unminified ESM that reads like the source, so a stack trace
 * already points at readable lines; the maps (with the sources inlined) more than doubled each tarball.
 * `scripts` and `devDependencies` stay in the manifest: npm never installs a dependency's devDependencies, and
 * only lifecycle scripts run on install, which no package may have.
 */
import type { PackedPackage } from './packed-package.ts';

/** Files a tarball may hold: built JavaScript and declarations under `dist/`, and the three documents. */
const allowedFile =
  /^(?:dist\/(?:[\w-]+\/)*[\w.-]+\.(?:js|d\.ts)|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/;

/** Files every tarball must hold. */
const requiredFiles = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'];

/** Scripts npm runs when a package is installed as a dependency: none may exist. */
const installScripts = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'];

/** The lowest Node the packages support; the workspace root's `engines.node` says the same. */
export const supportedNode = '>=20.11';

/** Every problem with the release shape of `packed`, as sentences naming the fix; empty when there is none. */
export function releaseShapeProblems(packed: PackedPackage): string[] {
  const problems: string[] = [];
  const { manifest, files, name } = packed;
  for (const file of files.keys()) {
    if (allowedFile.test(file)) continue;
    if (file.startsWith('dist/.')) problems.push(`${name} ships ${file}: build output a user never reads`);
    else if (file.startsWith('src/')) problems.push(`${name} ships ${file}: sources are not published`);
    else if (file.endsWith('.map')) problems.push(`${name} ships ${file}: source maps are not published`);
    else problems.push(`${name} ships ${file}, which is not built JavaScript, a declaration or a document`);
  }
  for (const file of requiredFiles) {
    if (!files.has(file)) problems.push(`${name} does not ship ${file}`);
  }
  const exportsText = JSON.stringify(manifest['exports'] ?? null);
  if (exportsText.includes('@msc/source')) {
    problems.push(
      `${name}'s published exports keep the @msc/source condition: publishConfig.exports must drop it`,
    );
  }
  const expected = JSON.stringify(withoutSourceCondition(packed.workspaceExports));
  if (exportsText !== expected) {
    problems.push(
      `${name} publishes exports ${exportsText}, but its workspace exports without @msc/source are ${expected}: ` +
        'publishConfig.exports must list every entry',
    );
  }
  for (const target of exportTargets(manifest['exports'])) {
    if (!files.has(target.replace(/^\.\//, ''))) {
      problems.push(`${name} exports ${target}, which the tarball does not hold`);
    }
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const ranges = (manifest[field] ?? {}) as Record<string, string>;
    for (const [dependency, range] of Object.entries(ranges)) {
      if (range.startsWith('workspace:') || range.startsWith('file:') || range.startsWith('link:')) {
        problems.push(`${name} depends on ${dependency}@${range}, which no registry can resolve`);
      }
    }
  }
  const scripts = (manifest['scripts'] ?? {}) as Record<string, string>;
  for (const script of installScripts) {
    if (script in scripts)
      problems.push(`${name} has a "${script}" script, which would run on every install`);
  }
  const repository = manifest['repository'] as
    | { type?: string; url?: string; directory?: string }
    | undefined;
  if (repository?.url === undefined || repository.directory !== `packages/${packed.folder}`) {
    problems.push(`${name} needs repository { type, url, directory: "packages/${packed.folder}" }`);
  }
  const engines = manifest['engines'] as { node?: string } | undefined;
  if (engines?.node !== supportedNode) {
    problems.push(`${name} needs engines.node "${supportedNode}", got ${JSON.stringify(engines?.node)}`);
  }
  for (const field of ['description', 'license']) {
    if (typeof manifest[field] !== 'string' || manifest[field] === '')
      problems.push(`${name} needs a ${field}`);
  }
  if (!Array.isArray(manifest['keywords']) || manifest['keywords'].length === 0) {
    problems.push(`${name} needs keywords`);
  }
  if (manifest['type'] !== 'module') problems.push(`${name} needs "type": "module"`);
  // Only a root entry may have an effect when it loads (@msc/session's installs its stream part,
  // which its browser entry leaves out): every other module stays droppable by a bundler.
  const sideEffects = manifest['sideEffects'];
  const onlyRootEntry =
    Array.isArray(sideEffects) &&
    sideEffects.every((path) => path === './dist/index.js' || path === './src/index.ts');
  if (sideEffects !== false && !onlyRootEntry) {
    problems.push(`${name} needs "sideEffects": false (or a list of its root entry alone)`);
  }
  return problems;
}

/** `exports` with every `@msc/source` condition removed, at any depth. */
function withoutSourceCondition(exports: unknown): unknown {
  if (exports === null || typeof exports !== 'object') return exports ?? null;
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([condition]) => condition !== '@msc/source')
      .map(([condition, target]) => [condition, withoutSourceCondition(target)]),
  );
}

/** Every file path an exports map points to (leaves of conditions), like `./dist/index.js`. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}
