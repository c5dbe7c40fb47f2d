/**
 * @msc/sip: software isolated processes (SIPs) for MSC. A SIP is single-threaded logic with exclusive access to
 * its own memory that talks to others only through sessions. {@link spawnSip} starts one in a worker thread or a
 * child process and connects it with a session at once: the parent gets the SIP's root capability as a proxy
 * usable immediately, the SIP's main function ({@link runSip}) gets the parent's root and the init data.
 *
 * A SIP is a failure domain: an uncaught exception, an unhandled rejection, running out of its memory limit or
 * `process.exit()` ends that SIP only; every eventual value of the parent that spanned its session aborts with
 * `AbortedError`, and `sip.ended` says why. Teardown is definitive: when `terminate()` resolves, the thread or
 * process is gone, and so is every process SIP it started.
 *
 * @example
 * ```ts
 * // main.ts (the parent)
 * import { proxy } from '@msc/eventual';
 * import { spawnSip } from '@msc/sip';
 *
 * interface ILog { write(line: string): Promise<void> }
 * interface IGame { move(x: number, y: number): Promise<string> }
 * class Log implements ILog { async write(line: string) { console.log(line); } }
 *
 * const game = spawnSip<IGame>(new URL('./game.sip.js', import.meta.url), {
 *   kind: 'worker',                            // or 'process'
 *   root: proxy<ILog>(new Log()),              // what the SIP gets as `parent`
 *   init: { seed: 7 },                         // copied by value
 *   resourceLimits: { maxOldGenerationSizeMb: 64 },
 * });
 * console.log(await game.root.move(1, 2));     // usable at once
 * const end = await game.terminate();          // definitive
 * console.log(end.cause);                      // 'terminated'
 *
 * // game.sip.ts (the SIP module, compiled to game.sip.js)
 * import { proxy, type Proxy } from '@msc/eventual';
 * import { runSip } from '@msc/sip';
 *
 * class Game implements IGame {
 *   constructor(readonly log: Proxy<ILog>, readonly seed: number) {}
 *   async move(x: number, y: number) { await this.log.write(`move ${x},${y}`); return `moved (${this.seed})`; }
 * }
 * runSip<ILog, { seed: number }>(({ parent, init }) => proxy<IGame>(new Game(parent, init.seed)));
 * ```
 *
 * @packageDocumentation
 */

export type { IpcChannelLike } from './ipc-channel-like.ts';
export { type IpcConnectionOptions, ipcConnection } from './ipc-connection.ts';
export { type RunSipOptions, runSip, type SipContext, type SipMain } from './run-sip.ts';
export type { Sip } from './sip.ts';
export type { SipEnd, SipEndCause } from './sip-end.ts';
export { SipError, type SipErrorCode } from './sip-error.ts';
export type { SipKind, SipOptions, SipResourceLimits } from './sip-options.ts';
export { spawnSip } from './spawn-sip.ts';
