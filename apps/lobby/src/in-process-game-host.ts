import { proxy } from '@msc/eventual';
import { Session, unauthenticated } from '@msc/session';
import { memoryPair } from '@msc/transport-memory';
import type { GameSetup, IGameSession } from './contracts.ts';
import { GameSessionRoot } from './game/match.ts';
import type { GameHost, HostedGame, HostedGameEnd } from './game-host.ts';

/**
 * Runs each game in the server's own thread, behind a session of its own over an in-memory pair.
 * The session is the failure boundary: stopping (or "crashing") a game terminates it, so every value
 * that spanned it aborts with `AbortedError` exactly as with a SIP. What it cannot do is contain a
 * real crash or an endless loop: use {@link sipGameHost} for that. Good for tests and for many small
 * games where a thread per game costs too much.
 */
export function inProcessGameHost(): GameHost {
  const running = new Set<HostedGame>();
  return {
    kind: 'in-process',
    async start(setup: GameSetup): Promise<HostedGame> {
      const [gameEnd, lobbyEnd] = memoryPair();
      let crashed: string | undefined;
      const gameSide = new Session({
        connection: gameEnd,
        role: 'listener',
        authenticator: unauthenticated(),
        root: proxy<IGameSession>(
          new GameSessionRoot(setup, (message) => {
            crashed = message;
            // Emulates a crash of the failure domain: the game's session ends, nothing else.
            queueMicrotask(() => void gameSide.terminate(`game crashed: ${message}`));
          }),
        ),
      });
      const lobbySide = new Session({
        connection: lobbyEnd,
        role: 'dialer',
        authenticator: unauthenticated(),
      });
      let stopCause: HostedGameEnd['cause'] | undefined;
      let stopMessage = '';
      const ended = Promise.all([gameSide.closed, lobbySide.closed]).then(([reason]): HostedGameEnd => {
        running.delete(hosted);
        if (stopCause !== undefined) return { cause: stopCause, message: stopMessage };
        return {
          cause: 'crashed',
          message: crashed !== undefined ? `game crashed: ${crashed}` : reason.message,
        };
      });
      const hosted: HostedGame = {
        root: lobbySide.remoteRoot<IGameSession>(),
        ended,
        description: 'in-process session',
        async stop(cause, message) {
          stopCause ??= cause;
          if (stopMessage === '') stopMessage = message;
          await Promise.all([lobbySide.terminate(message), gameSide.terminate(message)]);
          return ended;
        },
      };
      running.add(hosted);
      return hosted;
    },
    async close() {
      await Promise.all([...running].map((hosted) => hosted.stop('stopped', 'the game host closed')));
    },
  };
}
