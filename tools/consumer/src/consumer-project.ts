/**
 * A consumer project outside the workspace: a fixture folder copied to a temporary folder, a `package.json` whose
 * dependencies are the packed tarballs (and registry packages such as TypeScript), installed with plain npm as a
 * user installs them.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackedPackage } from './packed-package.ts';
import { type CommandOutput, runCommand } from './run-command.ts';

/** How long one `npm install` may take, in milliseconds (it may fetch ws, @noble and TypeScript). */
const npmInstallTimeoutMs = 180_000;

/** Options of {@link createConsumerProject}. */
export interface ConsumerProjectOptions {
  /** The fixture folder whose files become the project's. */
  readonly fixture: string;
  /** Where the project is made (outside the workspace, so nothing resolves from its `node_modules`). */
  readonly folder: string;
  /** The packed packages it depends on. */
  readonly packages: readonly PackedPackage[];
  /** Registry packages it depends on, name to exact version. */
  readonly registry?: Readonly<Record<string, string>>;
}

/** Copies the fixture into `folder` and writes its `package.json`; returns `folder`. */
export function createConsumerProject(options: ConsumerProjectOptions): string {
  cpSync(options.fixture, options.folder, { recursive: true });
  const dependencies: Record<string, string> = {};
  for (const packed of options.packages) dependencies[packed.name] = `file:${packed.tarball}`;
  Object.assign(dependencies, options.registry);
  const manifest = { name: 'msc-consumer', private: true, type: 'module', dependencies };
  writeFileSync(join(options.folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return options.folder;
}

/** `npm install` in `folder`: from the npm cache when it has a package, from the registry when not. */
export function npmInstall(folder: string): Promise<CommandOutput> {
  return runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: folder,
    timeoutMs: npmInstallTimeoutMs,
    // A CI variable keeps npm from prompting or drawing progress.
    env: { CI: '1' },
  });
}
