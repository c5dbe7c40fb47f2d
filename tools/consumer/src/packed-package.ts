/**
 * Builds and packs every package under `packages/` the way a release does (`pnpm pack`, which applies
 * `publishConfig` and turns `workspace:` ranges into versions), and reads each tarball back.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createPackageFromTarballData, type Package } from '@arethetypeswrong/core';
import { runCommand } from './run-command.ts';

/** One packed package, as the registry would hold it. */
export interface PackedPackage {
  /** `@msc/<folder>`. */
  readonly name: string;
  readonly version: string;
  /** The package's folder under `packages/`. */
  readonly folder: string;
  /** Absolute path of the `.tgz`. */
  readonly tarball: string;
  /** Bytes of the `.tgz`. */
  readonly packedBytes: number;
  /** Every file in the tarball (paths inside the package, like `dist/index.js`) and its size in bytes. */
  readonly files: ReadonlyMap<string, number>;
  /** The manifest as published (after `publishConfig`). */
  readonly manifest: PublishedManifest;
  /** The `exports` of the package's manifest in the workspace (with its `@msc/source` conditions). */
  readonly workspaceExports: unknown;
  /** The tarball parsed by `@arethetypeswrong/core`, for its checks. */
  readonly parsed: Package;
}

/** The fields of a published `package.json` the consumer test reads. */
export interface PublishedManifest {
  readonly name: string;
  readonly version: string;
  readonly [field: string]: unknown;
}

/** How long building or packing all packages may take, in milliseconds. */
const pnpmTimeoutMs = 240_000;

/** The pnpm that runs this workspace: `npx --yes pnpm@<version>` from the root manifest's `packageManager`. */
function pnpm(root: string): { command: string; prefix: string[] } {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    packageManager?: string;
  };
  return { command: 'npx', prefix: ['--yes', manifest.packageManager ?? 'pnpm'] };
}

/**
 * Builds every package (`turbo run build` through `pnpm exec`, so turbo finds the pinned pnpm and its cache makes
 * an unchanged package cost nothing).
 */
export async function buildPackages(root: string): Promise<void> {
  const { command, prefix } = pnpm(root);
  await runCommand(
    command,
    [...prefix, 'exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'],
    { cwd: root, timeoutMs: pnpmTimeoutMs, env: { TURBO_TELEMETRY_DISABLED: '1', CI: '1' } },
  );
}

/** Packs every package under `packages/` into `destination` and reads each tarball back. */
export async function packPackages(root: string, destination: string): Promise<PackedPackage[]> {
  const { command, prefix } = pnpm(root);
  await runCommand(
    command,
    [...prefix, '-r', '--filter=./packages/*', 'pack', '--pack-destination', destination],
    {
      cwd: root,
      timeoutMs: pnpmTimeoutMs,
    },
  );
  const folders = readdirSync(join(root, 'packages'));
  return readdirSync(destination)
    .filter((file) => file.endsWith('.tgz'))
    .map((file) => readTarball(root, join(destination, file), folders));
}

function readTarball(root: string, tarball: string, folders: readonly string[]): PackedPackage {
  const parsed = createPackageFromTarballData(new Uint8Array(readFileSync(tarball)));
  const prefix = `/node_modules/${parsed.packageName}/`;
  const files = new Map<string, number>();
  for (const path of parsed.listFiles()) {
    files.set(path.slice(prefix.length), Buffer.byteLength(parsed.readFile(path), 'utf8'));
  }
  const manifest = JSON.parse(parsed.readFile(`${prefix}package.json`)) as PublishedManifest;
  const folder = folders.find((candidate) => `@msc/${candidate}` === manifest.name);
  if (folder === undefined) {
    throw new Error(`expected ${tarball} to be a package of packages/, but it is ${manifest.name}`);
  }
  const workspaceManifest = JSON.parse(
    readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8'),
  ) as {
    exports?: unknown;
  };
  return {
    name: manifest.name,
    version: manifest.version,
    folder,
    tarball,
    packedBytes: statSync(tarball).size,
    files,
    manifest,
    workspaceExports: workspaceManifest.exports,
    parsed,
  };
}
