// Reading TypeScript blocks out of markdown. A block is a fenced code block whose info string starts with
// `ts` or `typescript`. What a block is for is said in the markdown itself, visibly, by an HTML comment on the
// nearest non-blank line above its fence (rendered pages hide it; whoever edits the file sees it):
//
//   (no marker)                                   a complete program: type-checked and run
//   <!-- example: continues -->                   continues the previous TypeScript block of the same file: the
//                                                 blocks are one program, checked and run together
//   <!-- example: typecheck-only: <reason> -->    type-checked, not run; the reason says why it cannot run alone
//                                                 (a browser page, a certificate it reads), and is required
//   <!-- example: continues, typecheck-only: <reason> -->
//                                                 type-checked after the blocks it continues, not run, and not
//                                                 joined by the blocks after it (a fragment that stands for a
//                                                 peer or a file it cannot have)
//
// Anything else after `<!-- example:` is an error, so a misspelt marker fails loudly instead of being ignored.

/** What is done with a block (or with the chain it starts). */
export type ExampleMode = 'run' | 'typecheck-only';

/** One TypeScript block of a markdown file, with the marker above it. */
export interface CodeBlock {
  /** The markdown file, relative to the repository root with `/` separators. */
  readonly markdownPath: string;
  /** The 1-based line of the opening fence. */
  readonly fenceLine: number;
  /** The block's lines, with the fence's own indentation removed; line `i` is markdown line `fenceLine + 1 + i`. */
  readonly lines: readonly string[];
  /** `run` or `typecheck-only` (the latter only with a reason). */
  readonly mode: ExampleMode;
  /** Why a `typecheck-only` block is not run. */
  readonly reason?: string;
  /** Whether the block continues the blocks before it in the same file. */
  readonly continues: boolean;
}

/** A marker or fence that cannot be understood, named by file and line. */
export class ExampleMarkupError extends Error {
  override readonly name = 'ExampleMarkupError';
  /**
   * @param markdownPath - the markdown file
   * @param line - the 1-based line of the marker or fence
   * @param message - what was expected and what was found
   */
  constructor(
    readonly markdownPath: string,
    readonly line: number,
    message: string,
  ) {
    super(`${markdownPath}:${line}: ${message}`);
  }
}

const fencePattern = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const markerPattern = /^\s*<!--\s*example:(.*?)-->\s*$/;
const typeScriptLanguages = new Set(['ts', 'typescript']);

/** The marker on `line`, or undefined when the line holds none. */
function parseMarker(
  markdownPath: string,
  lineNumber: number,
  line: string,
): Pick<CodeBlock, 'mode' | 'reason' | 'continues'> | undefined {
  if (!/^\s*<!--\s*example:/.test(line)) return undefined;
  const match = markerPattern.exec(line);
  const body = match?.[1]?.trim();
  if (body === 'continues') return { mode: 'run', continues: true };
  const typecheckOnly =
    body === undefined ? null : /^(continues\s*,\s*)?typecheck-only\s*:\s*(\S.*)$/.exec(body);
  if (typecheckOnly)
    return { mode: 'typecheck-only', reason: typecheckOnly[2]!, continues: !!typecheckOnly[1] };
  throw new ExampleMarkupError(
    markdownPath,
    lineNumber,
    'expected "<!-- example: continues -->", "<!-- example: typecheck-only: <why it cannot run> -->" or ' +
      `"<!-- example: continues, typecheck-only: <why> -->" on one line, but got ${JSON.stringify(line.trim())}`,
  );
}

/**
 * The TypeScript blocks of one markdown file, in order.
 *
 * @param markdownPath - the file's path, used in every block and error
 * @param text - the file's content
 * @throws ExampleMarkupError for an unknown or malformed marker, a marker that no TypeScript block follows, a
 *   `continues` block with no block before it, or a fence that is never closed
 */
export function extractCodeBlocks(markdownPath: string, text: string): CodeBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let pendingMarker: { line: number; marker: Pick<CodeBlock, 'mode' | 'reason' | 'continues'> } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const fence = fencePattern.exec(line);
    if (fence === null) {
      const marker = parseMarker(markdownPath, index + 1, line);
      if (marker !== undefined) {
        if (pendingMarker !== undefined) {
          throw new ExampleMarkupError(
            markdownPath,
            pendingMarker.line,
            'expected a TypeScript block after this marker',
          );
        }
        pendingMarker = { line: index + 1, marker };
      } else if (line.trim() !== '' && pendingMarker !== undefined) {
        throw new ExampleMarkupError(
          markdownPath,
          pendingMarker.line,
          'expected a TypeScript block after this marker',
        );
      }
      continue;
    }
    const [, indent = '', fenceMark = '', language = ''] = fence;
    const fenceLine = index + 1;
    const body: string[] = [];
    let closed = false;
    for (index++; index < lines.length; index++) {
      const inner = lines[index]!;
      const trimmed = inner.trimStart();
      if (trimmed.startsWith(fenceMark) && trimmed.slice(fenceMark.length).trim() === '') {
        closed = true;
        break;
      }
      body.push(inner.startsWith(indent) ? inner.slice(indent.length) : inner.trimStart());
    }
    if (!closed)
      throw new ExampleMarkupError(markdownPath, fenceLine, `expected the fence ${fenceMark} to be closed`);
    const isTypeScript = typeScriptLanguages.has(language.toLowerCase());
    if (!isTypeScript) {
      if (pendingMarker !== undefined) {
        throw new ExampleMarkupError(
          markdownPath,
          pendingMarker.line,
          'expected a TypeScript block after this marker',
        );
      }
      continue;
    }
    const marker = pendingMarker?.marker ?? { mode: 'run' as const, continues: false };
    pendingMarker = undefined;
    if (marker.continues && blocks.length === 0) {
      throw new ExampleMarkupError(
        markdownPath,
        fenceLine,
        'expected a TypeScript block before a block marked "continues", but this is the first one',
      );
    }
    blocks.push({ markdownPath, fenceLine, lines: body, ...marker });
  }
  if (pendingMarker !== undefined) {
    throw new ExampleMarkupError(
      markdownPath,
      pendingMarker.line,
      'expected a TypeScript block after this marker',
    );
  }
  return blocks;
}
