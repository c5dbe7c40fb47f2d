import type { Connection } from '@msc/transport';
import type { ParkedSessions } from './parked-sessions.ts';
import type { ResumeEvent, ResumeOptions } from './resume-options.ts';

/**
 * A scope's `resume` option as one of its sessions takes it (`ScopeResumeOptions` less what only
 * the scope reads): the session options, the parked sessions' bounds (dropped here) and events that
 * name their session.
 */
export interface ScopeSessionResume extends Omit<ResumeOptions<any>, 'dial' | 'parkedSessions' | 'onEvent'> {
  readonly maxParkedSessions?: number | undefined;
  readonly maxParkedBytes?: number | undefined;
  readonly onEvent?: ((event: ResumeEvent, session: any) => void) | undefined;
}

/**
 * The resume options of one session of a scope with the `resume` option (installed with
 * resumption, so a scope without it carries none of this): the listener's session parks in the
 * scope's `parked` sessions, the dialer's redials with `redial` (the scope's dial to the same
 * address, while the scope is open), and each event reaches the scope's `onEvent` with its session.
 */
export function scopeSessionResumeOptions(
  resume: ScopeSessionResume,
  endpoint: ParkedSessions | ((signal: AbortSignal) => Promise<Connection>),
  session: () => unknown,
): ResumeOptions<any> {
  const { onEvent, maxParkedSessions: _sessions, maxParkedBytes: _bytes, ...rest } = resume;
  return {
    ...rest,
    ...(onEvent !== undefined ? { onEvent: (event: ResumeEvent) => onEvent(event, session()) } : {}),
    ...(typeof endpoint === 'function' ? { dial: endpoint } : { parkedSessions: endpoint }),
  };
}
