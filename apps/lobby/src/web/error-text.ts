/*
 * What the page says when something fails. Errors from the server cross the session as plain
 * `Error`s with the server's `name`, `code` and `message`; the lobby's and the game's messages are
 * written for players ("cell 4 is taken", "too many chat lines: … wait 180 ms"), so the page shows
 * the message itself, prefixed only where a bare message would not say what failed.
 */

/** One readable line for `error`: the server's message, or what ended the connection. */
export function errorText(error: unknown): string {
  if (typeof error !== 'object' || error === null || !('message' in error)) return String(error);
  const { name, message } = error as { name?: unknown; message: unknown };
  const text = typeof message === 'string' && message !== '' ? message : 'an unknown error';
  switch (name) {
    case 'LobbyError':
    case 'GameError':
      return text;
    case 'ArgumentError':
      return `the lobby refused the request: ${text}`;
    case 'AbortedError':
      return `the connection to the lobby ended: ${text}`;
    case 'IdentityFormatError':
      return `that name cannot be used: ${text}`;
    default:
      return typeof name === 'string' && name !== 'Error' ? `${name}: ${text}` : text;
  }
}

/** The `code` of a server error (`slot-taken`, `bad-move`, …), or `undefined`. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error as { code: unknown };
  return typeof code === 'string' ? code : undefined;
}
