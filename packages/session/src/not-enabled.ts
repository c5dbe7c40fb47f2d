/**
 * What a program without one of the session's optional parts says when a session or scope needs it: the part and
 * the call that installs it. One sentence for every part, so a page pays for its words once.
 *
 * @param part what is missing (`streams`, `resumption`, ...)
 * @param enable the name of the `enable…()` function of `@msc/session` that installs it
 */
export function notEnabled(part: string, enable: string): string {
  return `${part} not enabled in this program: call ${enable}() from '@msc/session' once, before the first session (the browser entry leaves it out)`;
}
