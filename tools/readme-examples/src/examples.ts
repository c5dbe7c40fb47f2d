// From blocks to examples: a block and the blocks that continue it make one example, a small program of one
// or more files. A `typecheck-only` block that continues makes an example of its own (the blocks it continues,
// then itself), and the blocks after it continue the runnable chain as if it were not there. Inside a block, a line `// file: <name>.ts` starts a new file of the example (a SIP module, a
// worker), so an example that needs two modules shows both, as a user would write them; lines before the first
// such line belong to `main.ts`. The first file is the one that is run. Every line of every file remembers its
// markdown line, so a type error or a stack trace can name the README line it comes from.
import { type CodeBlock, ExampleMarkupError, type ExampleMode } from './code-blocks.ts';

/** One file of an example. */
export interface ExampleFile {
  /** The file name inside the example's folder (`main.ts`, `game.sip.ts`). */
  readonly name: string;
  /** Its lines. */
  readonly lines: readonly string[];
  /** For each line, the 1-based markdown line it comes from. */
  readonly markdownLines: readonly number[];
}

/** One program made of a block and the blocks that continue it. */
export interface Example {
  /** A folder name unique in the repository: the markdown path and fence line, made safe for a path. */
  readonly id: string;
  /** Names the example in test output: `packages/session/README.md:8` (and the lines of the blocks it continues with). */
  readonly title: string;
  /** The markdown file. */
  readonly markdownPath: string;
  /** The fence lines of its blocks, in order. */
  readonly fenceLines: readonly number[];
  /** Set by the first block: `run`, or `typecheck-only` with a reason. */
  readonly mode: ExampleMode;
  /** Why a `typecheck-only` example is not run. */
  readonly reason?: string;
  /** Its files; the first one is run. */
  readonly files: readonly ExampleFile[];
}

const fileMarkerPattern = /^\/\/ file: ([A-Za-z0-9_.-]+\.ts)\b/;

/**
 * Groups the blocks of one markdown file into examples.
 *
 * @throws ExampleMarkupError when an example names one file twice or a `// file:` line names no `.ts` file
 */
export function groupExamples(blocks: readonly CodeBlock[]): Example[] {
  const chains: CodeBlock[][] = [];
  let current: CodeBlock[] | undefined;
  for (const block of blocks) {
    if (!block.continues || current === undefined) {
      current = [block];
      chains.push(current);
    } else if (block.mode === 'typecheck-only' && current[0]!.mode === 'run') {
      chains.push([...current, block]); // a branch: checked in context, not joined
    } else {
      current.push(block);
    }
  }
  return chains.map(toExample);
}

function toExample(chain: readonly CodeBlock[]): Example {
  const head = chain[0]!;
  const last = chain.at(-1)!;
  const files: { name: string; lines: string[]; markdownLines: number[] }[] = [];
  for (const block of chain) {
    block.lines.forEach((line, index) => {
      const markdownLine = block.fenceLine + 1 + index;
      if (line.startsWith('// file:')) {
        const match = fileMarkerPattern.exec(line);
        if (match === null) {
          throw new ExampleMarkupError(
            block.markdownPath,
            markdownLine,
            `expected "// file: <name>.ts", but got ${JSON.stringify(line)}`,
          );
        }
        const name = match[1]!;
        if (files.some((file) => file.name === name)) {
          throw new ExampleMarkupError(
            block.markdownPath,
            markdownLine,
            `expected each file once, but ${name} comes again`,
          );
        }
        files.push({ name, lines: [], markdownLines: [] });
        return;
      }
      if (files.length === 0) files.push({ name: 'main.ts', lines: [], markdownLines: [] });
      const file = files.at(-1)!;
      file.lines.push(line);
      file.markdownLines.push(markdownLine);
    });
  }
  if (files.length === 0) files.push({ name: 'main.ts', lines: [], markdownLines: [] });
  const fenceLines = chain.map((block) => block.fenceLine);
  // A branch is named after its own block (the last), a chain after its first.
  const branch = last.mode === 'typecheck-only' && head.mode === 'run';
  const named = branch ? last : head;
  const others = fenceLines.filter((line) => line !== named.fenceLine);
  const more =
    others.length === 0 ? '' : ` (${branch ? 'after' : 'with'} the blocks at lines ${others.join(', ')})`;
  const reason = branch ? last.reason : head.reason;
  return {
    id: `${head.markdownPath.replace(/[^A-Za-z0-9]+/g, '-')}-${named.fenceLine}`,
    title: `${head.markdownPath}:${named.fenceLine}${more}`,
    markdownPath: head.markdownPath,
    fenceLines,
    mode: branch ? 'typecheck-only' : head.mode,
    ...(reason === undefined ? {} : { reason }),
    files,
  };
}
