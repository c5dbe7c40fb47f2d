import type { AbortedError } from '@msc/eventual';
import { CallAbortError, CallTimeoutError } from '@msc/eventual/context';
import { CallScope } from '@msc/eventual/handler';
import type { CallContextPart } from './call-context-part.ts';
import { decodeCallContext } from './wire/call-context-field.ts';

/**
 * The call context part of one session (call-context-part.ts): the contexts of the calls it serves.
 *
 * Ownership: a context of a call that carried one is held here from its call until its answer
 * settles, the caller finishes or cancels it, or the session ends, whichever is first; it is ended
 * (settled) or aborted (the others) as it leaves, so its deadline timer and its listeners go with it.
 * The session's context, for the calls that carried none, is made with the first such call and
 * aborted when the session ends.
 */
export class ServedContexts implements CallContextPart {
  readonly #maxCallTimeoutMs: number;
  /** The contexts of answers whose call carried one, until they settle (made with the first). */
  #contexts: Map<number, CallScope> | undefined = undefined;
  /** The context of every call that carried none (made with the first such call). */
  #sessionContext: CallScope | undefined = undefined;

  constructor(maxCallTimeoutMs: number) {
    this.#maxCallTimeoutMs = maxCallTimeoutMs;
  }

  forCall(questionId: number, field: readonly unknown[] | undefined): CallScope {
    if (field === undefined) return (this.#sessionContext ??= new CallScope(false));
    const context = decodeCallContext(field, this.#maxCallTimeoutMs);
    (this.#contexts ??= new Map<number, CallScope>()).set(questionId, context);
    return context;
  }

  settled(questionId: number): void {
    this.#take(questionId)?.end();
  }

  finished(questionId: number): void {
    // What a context holds is bounded by the answers the peer may keep open.
    this.#take(questionId)?.abort(new CallAbortError('the caller finished the call before its return'));
  }

  cancel(questionId: number, timedOut: boolean): void {
    this.#take(questionId)?.abort(
      timedOut
        ? new CallTimeoutError("the call did not settle before the caller's deadline")
        : new CallAbortError('the caller cancelled the call'),
    );
  }

  /** @internal */
  abortAll_(aborted: AbortedError): void {
    const contexts = this.#contexts;
    if (contexts !== undefined) {
      const open = [...contexts.values()];
      contexts.clear();
      for (const context of open) context.abort(aborted);
    }
    this.#sessionContext?.abort(aborted);
  }

  /** The context of `questionId`'s call, removed; `undefined` when it carried none or it left already. */
  #take(questionId: number): CallScope | undefined {
    const context = this.#contexts?.get(questionId);
    if (context !== undefined) this.#contexts!.delete(questionId);
    return context;
  }
}
