import type { Logger } from '@msc/transport';
import type { SessionRole } from './authenticator.ts';
import { defaultSessionLimits, type SessionLimitOverrides, type SessionLimits } from './limits.ts';
import type { TerminationReason } from './session-error.ts';

/**
 * What a scope tells its logger (`ScopeOptions.logger`) when one of its sessions ends badly; a
 * session that ends on purpose (code `closed`, by either side) is not logged. The event carries the
 * termination reason's fields (`step`, `code`, `message`, `remote`, and `limit` when a limit of this
 * side ended it) with `role` and `remoteAddress`; the sentence is `<event>: <role> <address>: <message>`.
 *
 * | event | level | when |
 * | --- | --- | --- |
 * | `session-refused` | warn | the authenticator or admission policy refused (code `refused`, on either side), or the listener was full on arrival (step `transport`, `limit` `maxPendingSessions`) |
 * | `limit-hit` | warn | a limit ended the session (code `limit`); `limit` names it and `value` is its setting when this side found it |
 * | `handshake-failed` | warn (info for `connection-lost`) | establishment failed (`version-mismatch`, `invalid`, `timeout`, `protocol`...) |
 * | `session-failed` | warn (info for `connection-lost`) | an established session ended abnormally (`protocol`, `internal`, `connection-lost`) |
 *
 * Installed by `enableLogging()` (logging-part.ts): a page on the browser entry whose scopes have
 * no logger does not carry it.
 */
export function logSessionEnd(
  logger: Logger,
  reason: TerminationReason,
  role: SessionRole,
  remoteAddress: string,
  limits: SessionLimitOverrides & { readonly maxPendingSessions?: number },
): void {
  const { code, step, limit } = reason;
  if (code === 'closed') return;
  const event =
    code === 'limit'
      ? 'limit-hit'
      : code === 'refused'
        ? 'session-refused'
        : step === 'session'
          ? 'session-failed'
          : 'handshake-failed';
  const name = limit as keyof typeof limits;
  const value =
    limit === undefined ? undefined : (limits[name] ?? defaultSessionLimits[name as keyof SessionLimits]);
  try {
    logger[code === 'connection-lost' ? 'info' : 'warn'](
      { event, ...reason, ...(value === undefined ? {} : { value }), role, remoteAddress },
      `${event}: ${role} ${remoteAddress}: ${reason.message}`,
    );
  } catch {
    // A logger that throws must not break the scope or its listener (the event is lost).
  }
}
