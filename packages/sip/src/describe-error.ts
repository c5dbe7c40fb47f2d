/** A short, human-readable description of a failure cause, for close reasons and end messages. */
export function describeError(error: unknown): string {
  if (error === undefined) return 'no reason given';
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    const { name, message } = error as { name?: unknown; message: string };
    return typeof name === 'string' ? `${name}: ${message}` : message;
  }
  return String(error);
}
