/**
 * A short, human-readable description of an abort or failure cause, for close-reason messages and dial errors.
 *
 * - `undefined`: `no reason given`;
 * - an `Error`, or an object with a string `message` (a structured-clone error from another thread):
 *   `name: message` (just the message when there is no name);
 * - a DOM event (an object with a `type`, as a browser WebSocket reports failures): `a "type" event`;
 * - anything else: `String(value)`.
 */
export function describeError(error: unknown): string {
  if (error === undefined) return 'no reason given';
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) {
    const { name, message, type } = error as { name?: unknown; message?: unknown; type?: unknown };
    if (typeof message === 'string') return typeof name === 'string' ? `${name}: ${message}` : message;
    if (typeof type === 'string') return `a "${type}" event`;
  }
  return String(error);
}
