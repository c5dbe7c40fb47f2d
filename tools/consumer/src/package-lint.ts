/**
 * publint and arethetypeswrong on a packed tarball, in this process (one TypeScript load for all packages instead
 * of one `attw` process per package).
 */
import { readFileSync } from 'node:fs';
import { checkPackage, type ResolutionKind } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import type { PackedPackage } from './packed-package.ts';

/**
 * Resolution modes the `esm-only` profile of `attw --profile esm-only` ignores (the CLI's `profiles.js`): these
 * packages are ESM only, so `require()` (node16 from CommonJS) and the pre-exports resolver (node10) are out of
 * scope. The CLI's exit code is this filter over `analysis.problems`; its module is not imported because under
 * vitest Node would resolve its own import of the core through the `development` condition to TypeScript sources.
 */
const esmOnlyIgnoredResolutions: ResolutionKind[] = ['node10', 'node16-cjs'];

/** publint's errors, warnings and suggestions for `packed`, formatted; empty when it finds nothing. */
export async function publintMessages(packed: PackedPackage): Promise<string[]> {
  const data = readFileSync(packed.tarball);
  const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const result = await publint({ pack: { tarball }, level: 'suggestion', strict: true });
  return result.messages.map(
    (message) => `${packed.name}: ${message.type}: ${formatMessage(message, result.pkg)}`,
  );
}

/** arethetypeswrong's problems for `packed` under the `esm-only` profile; empty when there is none. */
export async function typesProblems(packed: PackedPackage): Promise<string[]> {
  const analysis = await checkPackage(packed.parsed);
  if (!analysis.types) return [`${packed.name}: attw found no types`];
  return analysis.problems
    .filter(
      (problem) =>
        !('resolutionKind' in problem) || !esmOnlyIgnoredResolutions.includes(problem.resolutionKind),
    )
    .map((problem) => `${packed.name}: ${JSON.stringify(problem)}`);
}
