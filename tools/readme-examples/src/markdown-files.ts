// Which markdown files hold examples: every `.md` file of the repository outside installed and generated
// folders, so a README or docs page added later is tested without editing this list. CHANGELOG files are
// generated from changesets and quote code only by accident, so they are left out.
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Folders never searched: installed dependencies, build output, caches and test scratch space. */
const skippedFolders = new Set(['node_modules', 'dist', '.git', '.turbo', 'coverage', '.msc-test']);

/**
 * Every markdown file under `root` that may hold examples, as paths relative to `root` with `/` separators,
 * sorted so that test names and reports come out in the same order on every machine.
 */
export function findMarkdownFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!skippedFolders.has(entry.name)) visit(path);
      } else if (entry.isFile() && entry.name.endsWith('.md') && entry.name !== 'CHANGELOG.md') {
        found.push(relative(root, path).split(sep).join('/'));
      }
    }
  };
  visit(root);
  return found.sort();
}
