import type { LogEvent, Logger } from '../logger.ts';

/**
 * Reports `event` to a listener's `logger`, if it has one. A logger that throws loses the event and
 * nothing else: a listener never fails, and never throws into node's server, because logging did.
 */
export function logSafely(
  logger: Logger | undefined,
  level: 'info' | 'warn',
  event: LogEvent,
  message: string,
): void {
  if (logger === undefined) return;
  try {
    logger[level](event, message);
  } catch {
    // The event is lost; the listener goes on.
  }
}
