import { handlerOf } from '@msc/eventual/handler';
import { ImportHandler, QuestionHandler } from './remote-handlers.ts';

/**
 * Who is on the other side of the session that `capability` spans: what that session's
 * authenticator learned about the peer (for `@msc/identity`, its `PublicIdentity`). `undefined` for
 * a local capability, or before authentication finished.
 *
 * @example
 * ```ts
 * class Lobby { async join(player: Proxy<IPlayer>) { const who = remoteIdentity(player); ... } }
 * ```
 */
export function remoteIdentity<Peer = unknown>(capability: unknown): Peer | undefined {
  const handler = handlerOf(capability)?.shorten();
  if (handler instanceof ImportHandler || handler instanceof QuestionHandler) {
    return handler.session.peer as Peer | undefined;
  }
  return undefined;
}
