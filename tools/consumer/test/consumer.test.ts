// The newcomer's first hour, automated: every package packed as a release packs it, installed with plain npm into
// projects outside the workspace, type-checked by the TypeScript users have (strict; NodeNext, bundler, and a
// browser-only project without Node types) and run with plain `node`. Also the release shape of each tarball,
// publint and arethetypeswrong.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createConsumerProject, npmInstall } from '../src/consumer-project.ts';
import { publintMessages, typesProblems } from '../src/package-lint.ts';
import { buildPackages, type PackedPackage, packPackages } from '../src/packed-package.ts';
import { releaseShapeProblems } from '../src/release-shape.ts';
import { runCommand } from '../src/run-command.ts';
import { shortenedNames, shortenedNamesIn } from '../src/shortened-names.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const fixtures = join(here, '..', 'fixtures');

/** The TypeScript users have: the latest 5.x. */
const typescriptVersion = '5.9.3';
/** Node types for the lowest Node the packages support (20). */
const nodeTypesVersion = '^20.19.0';
/** What the browser fixture imports; their `@msc` dependencies come along. */
const browserImports = [
  '@msc/eventual',
  '@msc/identity',
  '@msc/session',
  '@msc/transport-memory',
  '@msc/transport-ws',
];
/** How long one type check or the consumer's program may take, in milliseconds (generous: CI shares its cores). */
const stepTimeoutMs = 180_000;

let work: string | undefined;
let packages: PackedPackage[] = [];
let nodeProject = '';
let browserProject = '';
/** The three type checks, started once the projects are installed; each test awaits its own. */
let typeChecks: Record<'nodeNext' | 'bundler' | 'browser', Promise<unknown>> | undefined;

/** Runs the node project's tsc (TypeScript 5) on `project` (a tsconfig file). */
function tsc(project: string) {
  const compiler = join(nodeProject, 'node_modules', 'typescript', 'bin', 'tsc');
  return runCommand(process.execPath, [compiler, '-p', project, '--pretty', 'false'], {
    cwd: dirname(project),
    timeoutMs: stepTimeoutMs,
  });
}

/** The first `node_modules/@types/node` TypeScript would find from `folder` (it looks in every ancestor). */
function nodeTypesAbove(folder: string): string | undefined {
  for (let current = folder; ; current = dirname(current)) {
    const candidate = join(current, 'node_modules', '@types', 'node');
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

/** `names` and every `@msc` package they depend on, transitively. */
function withDependencies(names: readonly string[]): PackedPackage[] {
  const chosen = new Set<string>();
  const visit = (name: string) => {
    if (chosen.has(name)) return;
    chosen.add(name);
    const packed = packages.find((candidate) => candidate.name === name);
    const dependencies = (packed?.manifest['dependencies'] ?? {}) as Record<string, string>;
    for (const dependency of Object.keys(dependencies)) if (dependency.startsWith('@msc/')) visit(dependency);
  };
  for (const name of names) visit(name);
  return packages.filter((packed) => chosen.has(packed.name));
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

beforeAll(async () => {
  const started = performance.now();
  work = mkdtempSync(join(tmpdir(), 'msc-consumer-'));
  await buildPackages(root);
  const built = performance.now();
  mkdirSync(join(work, 'tarballs'));
  packages = await packPackages(root, join(work, 'tarballs'));
  const packedAt = performance.now();
  nodeProject = createConsumerProject({
    fixture: join(fixtures, 'node'),
    folder: join(work, 'node'),
    packages,
    registry: { typescript: typescriptVersion, '@types/node': nodeTypesVersion },
  });
  browserProject = createConsumerProject({
    fixture: join(fixtures, 'browser'),
    folder: join(work, 'browser'),
    packages: withDependencies(browserImports),
  });
  await Promise.all([npmInstall(nodeProject), npmInstall(browserProject)]);
  const installed = performance.now();
  // One after another (two cores), but alongside the publint and attw tests.
  const nodeNext = tsc(join(nodeProject, 'tsconfig.json'));
  const bundler = nodeNext.catch(() => {}).then(() => tsc(join(nodeProject, 'tsconfig.bundler.json')));
  const browser = bundler.catch(() => {}).then(() => tsc(join(browserProject, 'tsconfig.json')));
  typeChecks = { nodeNext, bundler, browser };
  // Each test awaits its own check; until then a failure must not count as an unhandled rejection.
  for (const check of Object.values(typeChecks)) check.catch(() => {});
  console.log(
    `consumer: build ${Math.round(built - started)} ms, pack ${Math.round(packedAt - built)} ms, ` +
      `npm install ${Math.round(installed - packedAt)} ms`,
  );
}, 600_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the published packages, as a newcomer installs them', () => {
  test('every package under packages/ is packed', () => {
    const folders = readdirSync(join(root, 'packages')).sort();
    expect(packages.map((packed) => packed.folder).sort()).toEqual(folders);
  });

  test('each tarball holds only built JavaScript, declarations and documents, with a complete manifest', () => {
    const rows = packages.map(
      (packed) =>
        `${packed.name.padEnd(24)} ${String(packed.files.size).padStart(3)} files  ` +
        `${kilobytes(packed.packedBytes).padStart(10)} packed  ` +
        `${kilobytes([...packed.files.values()].reduce((sum, size) => sum + size, 0)).padStart(10)} unpacked`,
    );
    console.log(`consumer: tarballs\n${rows.join('\n')}`);
    expect(packages.flatMap(releaseShapeProblems)).toEqual([]);
  });

  test('no installed declaration names a property the build shortens (names ending in _)', () => {
    const names = shortenedNames();
    const found: string[] = [];
    for (const packed of packages) {
      for (const file of packed.files.keys()) {
        if (!file.endsWith('.d.ts')) continue;
        const text = readFileSync(join(nodeProject, 'node_modules', packed.name, file), 'utf8');
        for (const name of shortenedNamesIn(text, names)) found.push(`${packed.name}/${file}: ${name}`);
      }
    }
    expect(found).toEqual([]);
  });

  test('publint finds nothing, not even a suggestion', async () => {
    const messages = (await Promise.all(packages.map(publintMessages))).flat();
    expect(messages).toEqual([]);
  });

  test('arethetypeswrong (esm-only profile) finds no problem', async () => {
    const problems: string[] = [];
    for (const packed of packages) problems.push(...(await typesProblems(packed)));
    expect(problems).toEqual([]);
  });

  test(`a strict NodeNext project (exactOptionalPropertyTypes, no skipLibCheck) compiles with TypeScript ${typescriptVersion}`, async () => {
    await typeChecks?.nodeNext;
    expect(existsSync(join(nodeProject, 'dist', 'main.js'))).toBe(true);
  });

  test('the same sources type-check under bundler resolution', async () => {
    await typeChecks?.bundler;
  });

  test('a browser-only project (lib DOM, types: [], no @types/node installed) type-checks', async () => {
    // Nothing on the browser project's resolution path may provide Node's types, or this check proves nothing.
    expect(nodeTypesAbove(browserProject)).toBeUndefined();
    await typeChecks?.browser;
  });

  test('the compiled program runs with plain node: memory, TCP and WebSocket with identities, and a worker SIP', async () => {
    await typeChecks?.nodeNext;
    const { stdout } = await runCommand(process.execPath, [join(nodeProject, 'dist', 'main.js')], {
      cwd: nodeProject,
      timeoutMs: stepTimeoutMs,
    });
    expect(stdout.trim().split('\n')).toEqual([
      'memory: call, callback, pipelined capability, stream and identity ok',
      'tcp: call, callback, pipelined capability, stream and identity ok',
      'ws: call, callback, pipelined capability, stream and identity ok',
      'sip: worker call, parent callback and termination ok',
      'consumer: all checks passed',
    ]);
  });

  test('the msc-trace command of @msc/trace-viewer runs from the installed tarball', async () => {
    const { stdout } = await runCommand(join(nodeProject, 'node_modules', '.bin', 'msc-trace'), ['--help'], {
      cwd: nodeProject,
      timeoutMs: stepTimeoutMs,
    });
    expect(stdout).toMatch(/^Usage: msc-trace /m);
  });
});
