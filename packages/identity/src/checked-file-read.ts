import type { BigIntStats } from 'node:fs';
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
  await checkOpenedFile(handle, checks);
  return await handle.readFile('utf8');
}

/**
 * Runs the checks of {@link readCheckedFile} on an opened file without reading it, and returns its
 * status (for a caller that reads only when the file changed).
 */
export async function checkOpenedFile(handle: FileHandle, checks: FileReadChecks): Promise<BigIntStats> {
  const status = await handle.stat({ bigint: true });
  if (!status.isFile()) throw checks.notRegularFile();
  const mode = Number(status.mode & 0o777n);
  if (process.platform !== 'win32' && (mode & checks.forbiddenMode) !== 0) throw checks.insecureMode(mode);
  if (status.size > BigInt(checks.maxBytes)) throw checks.tooLarge(Number(status.size));
  return status;
}
