import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `content` to `path` so that readers see either the old file or the complete new one,
 * never a partial write: the bytes go to a fresh temporary file in the same directory (created
 * with `mode`, then flushed to disk), which then replaces `path` with `rename`, or, when
 * `exclusive`, is linked to `path` (fails with `EEXIST` if `path` exists, atomically).
 *
 * The temporary file is removed on every path out. Throws the underlying `fs` error.
 */
export async function writeFileAtomically(
  path: string,
  content: string,
  options: { readonly mode: number; readonly exclusive: boolean },
): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', options.mode);
  // Once renamed, the temporary name no longer exists; otherwise it is removed below.
  let renamed = false;
  try {
    // The umask may have cleared bits of `mode` at creation; set it exactly.
    await handle.chmod(options.mode);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
    await handle.close();
    if (options.exclusive) {
      await link(temporary, path);
    } else {
      await rename(temporary, path);
      renamed = true;
    }
    await syncDirectory(dirname(path));
  } finally {
    await handle.close().catch(() => undefined);
    if (!renamed) await unlink(temporary).catch(() => undefined);
  }
}

/** Flushes a directory entry change (the rename or link) to disk where the platform allows it. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open directories; the write is still atomic there, only less durable.
  }
}
