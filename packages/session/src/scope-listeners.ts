import type { Listener } from '@msc/transport';
import type { ListeningScope, ScopeListeners } from './listening-part.ts';
import { acceptSessions } from './session-acceptor.ts';

/**
 * A scope's listeners (installed by `enableListening()`, made by the scope's first `listen()`): each
 * listens until it closes or the scope ends, when the scope closes them all. A listen that completes
 * after the scope began to end closes its listener at once. Counts the scope's sessions in their
 * handshake and its refused connections over all listeners (`scope.stats()`).
 */
export class ScopeListenerSet implements ScopeListeners {
  readonly #scope: ListeningScope;
  readonly #listeners = new Set<Listener>();
  pending = 0;
  refused = 0;

  constructor(scope: ListeningScope) {
    this.#scope = scope;
  }

  async listen(address: string): Promise<Listener> {
    const scope = this.#scope;
    const listener = await scope.transport.listen(address, acceptSessions(scope, this), {
      signal: scope.signal,
    });
    if (scope.ended()) {
      await listener.close();
      throw new Error('the scope ended while listening');
    }
    this.#listeners.add(listener);
    void listener.closed.then(() => this.#listeners.delete(listener));
    return listener;
  }

  close(): Promise<void>[] {
    return [...this.#listeners].map((listener) => listener.close());
  }
}
