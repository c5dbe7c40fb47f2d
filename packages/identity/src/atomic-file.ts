// Why not write-file-atomic (npm's, 8.0.0 read for this): it writes a temporary file and renames it
// as this does, but the temporary name is a hash of the path, pid, thread and a counter, opened with
// `w` (an existing file or symlink there is followed, not refused), where this opens a random name
// with `wx`; it has no exclusive create (link, failing with EEXIST), which `loadOrCreateIdentity`
// needs so that two processes creating the same identity agree on one; it does not fsync the
// directory after the rename, so the new name may not survive a crash; and it installs a
// signal-exit handler in the process. Node only, like this file (the `./node` entry).

import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `content` to `path` so that readers see either the old file or the complete new one,
 * never a partial write: the bytes go to a fresh temporary file in the same directory (created
 * with `mode`, then flushed to disk), which then replaces `path` with `rename`, or, when
 * `exclusive`, is linked to `path` (fails with `EEXIST` if `path` exists, atomically).
 *
 * The temporary file is removed on every path out. Throws the underlying `fs` error. Returns the
 * written file's status, taken before it got its name (so it is ours, even if another process
 * replaces `path` at once); the rename keeps its device, inode, size and modification time.
 */
export async function writeFileAtomically(
  path: string,
  content: string,
  options: { readonly mode: number; readonly exclusive: boolean },
): Promise<BigIntStats> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', options.mode);
  // Once renamed, the temporary name no longer exists; otherwise it is removed below.
  let renamed = false;
  try {
    // The umask may have cleared bits of `mode` at creation; set it exactly.
    await handle.chmod(options.mode);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
    const written = await handle.stat({ bigint: true });
    await handle.close();
    if (options.exclusive) {
      await link(temporary, path);
    } else {
      await rename(temporary, path);
      renamed = true;
    }
    await syncDirectory(dirname(path));
    return written;
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
