// The whole extraction in one call: every markdown file of the repository, its TypeScript blocks, its examples.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CodeBlock, extractCodeBlocks } from './code-blocks.ts';
import { type Example, groupExamples } from './examples.ts';
import { findMarkdownFiles } from './markdown-files.ts';

/** What one markdown file holds. */
export interface MarkdownExamples {
  /** The file, relative to the repository root. */
  readonly markdownPath: string;
  /** Its TypeScript blocks. */
  readonly blocks: readonly CodeBlock[];
  /** Its examples (a block and the blocks that continue it). */
  readonly examples: readonly Example[];
}

/**
 * The examples of every markdown file under `repositoryRoot` that holds TypeScript blocks.
 *
 * @throws ExampleMarkupError for the first marker or fence that cannot be understood
 */
export function collectExamples(repositoryRoot: string): MarkdownExamples[] {
  return findMarkdownFiles(repositoryRoot).flatMap((markdownPath) => {
    const blocks = extractCodeBlocks(markdownPath, readFileSync(join(repositoryRoot, markdownPath), 'utf8'));
    return blocks.length === 0 ? [] : [{ markdownPath, blocks, examples: groupExamples(blocks) }];
  });
}
