import type { FileHandle } from 'node:fs/promises';
import type { IdentityFileError } from './identity-file-error.ts';

/** What {@link readCheckedFile} refuses, with the error each refusal throws (each file words its own fix). */
export interface FileReadChecks {
  /** Mode bits the file must not have (POSIX only; Windows has no mode bits to check). */
  readonly forbiddenMode: number;
  /** The largest file read, in bytes. */
  readonly maxBytes: number;
  notRegularFile(): IdentityFileError;
  insecureMode(mode: number): IdentityFileError;
  tooLarge(size: number): IdentityFileError;
}

/**
 * Reads an opened file as UTF-8 after checking it. The checks run on the opened file itself
 * (fstat), not on its path, so a swap between check and read cannot slip another file through.
 * The caller owns `handle` and closes it.
 */
export async function readCheckedFile(handle: FileHandle, checks: FileReadChecks): Promise<string> {
  const status = await handle.stat();
  if (!status.isFile()) throw checks.notRegularFile();
  const mode = status.mode & 0o777;
  if (process.platform !== 'win32' && (mode & checks.forbiddenMode) !== 0) throw checks.insecureMode(mode);
  if (status.size > checks.maxBytes) throw checks.tooLarge(status.size);
  return await handle.readFile('utf8');
}
