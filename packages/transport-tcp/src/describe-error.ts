/** A short, human-readable description of an abort or failure cause, for close-reason messages. */
export function describeError(error: unknown): string {
  if (error === undefined) return 'no reason given';
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
