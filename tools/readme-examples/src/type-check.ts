// Type-checks every example in one TypeScript program (one parse of Node's types and the packages' declarations
// for all of them) and emits their JavaScript next to them. The compiler is passed in, so the same check runs
// with the TypeScript users have (the tool's `typescript5`, the latest 5.x) or with any other version.
import { relative } from 'node:path';
import type ts from 'typescript5';
import type { ExampleProject } from './example-project.ts';

/** The outcome of one check. */
export interface TypeCheckResult {
  /** The compiler's version. */
  readonly version: string;
  /** The errors in each example's own lines, by example id, each naming the markdown file and line. */
  readonly errorsByExample: ReadonlyMap<string, readonly string[]>;
  /** Errors anywhere else: the published declarations, Node's types, the options. */
  readonly otherErrors: readonly string[];
}

/**
 * Checks (and, with `emit`, compiles) the project's examples with `typescript`.
 *
 * @param typescript - the compiler module (`typescript5`, or another version's `typescript`)
 * @param project - the written project
 * @param options - `emit`: write each example's `.js` (and source map) beside its `.ts`, even when it has errors
 */
export function typeCheckProject(
  typescript: typeof ts,
  project: ExampleProject,
  options: { emit: boolean },
): TypeCheckResult {
  const config = typescript.readConfigFile(project.tsconfigPath, typescript.sys.readFile);
  if (config.error !== undefined) {
    throw new Error(typescript.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  }
  const parsed = typescript.parseJsonConfigFileContent(config.config, typescript.sys, project.root);
  const program = typescript.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = [...typescript.getPreEmitDiagnostics(program), ...parsed.errors];
  if (options.emit) diagnostics.push(...program.emit().diagnostics);
  const errorsByExample = new Map<string, string[]>();
  const otherErrors: string[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.category !== typescript.DiagnosticCategory.Error) continue;
    const text = typescript.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const code = `error TS${diagnostic.code}: ${text}`;
    if (diagnostic.file === undefined || diagnostic.start === undefined) {
      otherErrors.push(code);
      continue;
    }
    const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const written = project.files.get(typescript.sys.resolvePath(diagnostic.file.fileName));
    if (written === undefined) {
      const where = relative(project.root, diagnostic.file.fileName);
      otherErrors.push(`${where}:${position.line + 1}:${position.character + 1}: ${code}`);
      continue;
    }
    const markdownLine = written.file.markdownLines[position.line] ?? written.example.fenceLines[0]!;
    const message = `${written.example.markdownPath}:${markdownLine}:${position.character + 1} (${written.file.name}): ${code}`;
    const list = errorsByExample.get(written.example.id) ?? [];
    list.push(message);
    errorsByExample.set(written.example.id, list);
  }
  return { version: typescript.version, errorsByExample, otherErrors };
}
