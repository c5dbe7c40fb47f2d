/*
 * Game ids: `g` and a positive integer, followed in a cluster by `.` and the owning node's name
 * (`g12`, `g12.a`). They are a directory's keys, not authority (see README). Ordering for paging is
 * by number, then by node name, so a cursor keeps its place even when its game is gone.
 */

/** A node name: 1 to 16 lowercase letters, digits or `-`, starting with a letter or digit. */
export const nodeNamePattern = /^[a-z0-9][a-z0-9-]{0,15}$/;

/** Game ids the lobby hands out: `g`, a positive integer, and in a cluster `.node`. */
export const gameIdPattern = /^g[1-9][0-9]{0,14}(?:\.[a-z0-9][a-z0-9-]{0,15})?$/;

/** A game id's parts. */
export interface GameIdParts {
  readonly number: number;
  /** The owning node's name; `''` for a single-process lobby's ids. */
  readonly node: string;
}

/** The parts of `id`, or `undefined` when it is not a game id. */
export function parseGameId(id: string): GameIdParts | undefined {
  if (!gameIdPattern.test(id)) return undefined;
  const dot = id.indexOf('.');
  return dot < 0
    ? { number: Number(id.slice(1)), node: '' }
    : { number: Number(id.slice(1, dot)), node: id.slice(dot + 1) };
}

/** Orders game ids for paging: by number, then by node name. Ids that do not parse sort first. */
export function compareGameIds(a: string, b: string): number {
  const left = parseGameId(a) ?? { number: 0, node: '' };
  const right = parseGameId(b) ?? { number: 0, node: '' };
  if (left.number !== right.number) return left.number - right.number;
  return left.node < right.node ? -1 : left.node > right.node ? 1 : 0;
}
