import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defaultMaxFrameBytes } from '@msc/transport/kit';
import { guardIpcChannel } from './channel-guard.ts';
import { GatedChannel } from './gated-channel.ts';
import { ipcConnection } from './ipc-connection.ts';
import {
  errorFromReport,
  type LaunchMessage,
  processMarker,
  type SipMessage,
  sipMessageFrom,
} from './launch-protocol.ts';
import type { Launched, RawExit } from './launched.ts';
import { groupGone, signalGroupOfLiveLeader, signalOrphanedGroup } from './process-group.ts';
import { SipError } from './sip-error.ts';
import type { SipResourceLimits } from './sip-options.ts';

/** What `launchProcess()` needs. */
export interface ProcessLaunchOptions {
  readonly url: URL;
  readonly name: string;
  readonly init: Uint8Array;
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  readonly resourceLimits: SipResourceLimits | undefined;
}

/** How much of a process SIP's stderr is kept for diagnostics and out-of-memory detection. */
const stderrTailBytes = 8 * 1024;
/** After the process exited, how long to wait for its last IPC messages and stderr output. */
const drainAfterExitMs = 500;
/**
 * The largest message a process SIP may write to its IPC channel, in bytes: the largest frame of its connection
 * plus room for the serialization's own bytes. A longer one ends the SIP (`protocol`) before more is buffered.
 */
export const maxSipMessageBytes = defaultMaxFrameBytes + 64 * 1024;

/**
 * Process SIPs alive in this thread. When the thread's process exits, they are killed with it (synchronously, in
 * the `exit` event), so no process SIP outlives the process that started it.
 */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLiveChildren(): void {
  for (const child of liveChildren) {
    if (child.pid !== undefined) signalGroupOfLiveLeader(child.pid);
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Synchronously kills every process SIP this thread started and that still runs. Used by `runSip()` on exit. */
export function killProcessSips(): void {
  killLiveChildren();
}

/**
 * Starts a child process running the SIP module, with an IPC channel in `advanced` serialization. The child gets
 * an environment of its own, no inherited Node flags, and stdin closed; stdout is shared, stderr is forwarded (and
 * its tail kept). The session's frames wait until the child's `runSip()` says `ready`, then follow the `launch`
 * message that carries the init data.
 *
 * The child is untrusted: it runs in a process group of its own (see process-group.ts), killed whole when the SIP
 * is killed and again after it exited, so nothing it started outlives it; its IPC channel is guarded
 * (channel-guard.ts), so bytes that do not parse or a message past {@link maxSipMessageBytes} end that SIP with a
 * `protocol` violation instead of the parent; and its launch-protocol messages are checked before use.
 */
export function launchProcess(options: ProcessLaunchOptions): Launched {
  const limits = options.resourceLimits;
  const flags =
    limits?.maxOldGenerationSizeMb === undefined
      ? []
      : [`--max-old-space-size=${limits.maxOldGenerationSizeMb}`];
  const child = fork(fileURLToPath(options.url), [processMarker], {
    execPath: process.execPath,
    execArgv: [...flags, ...options.execArgv],
    env: { ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    // Its own process group (pgid = its pid): ending the SIP ends everything it started. Not on Windows, where
    // `detached` would open a console of its own.
    detached: process.platform !== 'win32',
  });
  let violation: SipError | undefined;
  const kill = () => {
    // Until Node reports the exit, the pid (and so the group id) is still this child's.
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.pid !== undefined) signalGroupOfLiveLeader(child.pid);
    child.kill('SIGKILL');
  };
  guardIpcChannel(child, maxSipMessageBytes, (message, cause) => {
    violation ??= new SipError('protocol', `expected a SIP to speak the IPC protocol, but ${message}`, cause);
    kill();
  });
  liveChildren.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killLiveChildren);
  }
  const channel = new GatedChannel(child);
  const connection = ipcConnection(channel, {
    localAddress: `sip:${options.name}#parent`,
    remoteAddress: `sip:${options.name}#pid-${child.pid ?? 'none'}`,
  });
  const listeners: ((message: SipMessage) => void)[] = [];
  let fatal: Error | undefined;
  let stderrTail = '';
  let stderrEnded = false;
  let disconnected = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-stderrTailBytes);
  });
  child.stderr?.on('end', () => {
    stderrEnded = true;
  });
  child.on('disconnect', () => {
    disconnected = true;
  });
  child.on('message', (value: unknown) => {
    const message = sipMessageFrom(value);
    if (message === undefined) return;
    switch (message.mscSip) {
      case 'ready': {
        const launch: LaunchMessage = { mscSip: 'launch', init: options.init, name: options.name };
        child.send(launch, (error) => {
          if (error !== null) child.kill('SIGKILL');
        });
        channel.open();
        return;
      }
      case 'fatal':
        fatal ??= errorFromReport(message.error);
        return;
      case 'descendant':
        for (const listener of listeners) listener(message);
        return;
      default:
        return;
    }
  });
  const exited = new Promise<RawExit>((resolve) => {
    let settled = false;
    const finish = (exit: RawExit) => {
      if (settled) return;
      settled = true;
      liveChildren.delete(child);
      resolve(exit);
    };
    child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      // Whatever it started and left behind (a crash, an exit of its own) goes with it, at once.
      if (child.pid !== undefined) signalOrphanedGroup(child.pid);
      // 'exit' can come before the last IPC messages (the fatal report) and stderr output were read.
      const deadline = Date.now() + drainAfterExitMs;
      const settle = () => {
        if ((!disconnected || !stderrEnded) && Date.now() < deadline) {
          setTimeout(settle, 5);
          return;
        }
        void (child.pid === undefined ? Promise.resolve(true) : groupGone(child.pid)).then(() =>
          finish({
            ...(code === null ? {} : { exitCode: code }),
            ...(signal === null ? {} : { signal }),
            ...(fatal === undefined ? {} : { fatal }),
            ...(violation === undefined ? {} : { violation }),
            stderrTail,
          }),
        );
      };
      settle();
    });
    child.once('error', (error: Error) => {
      // Only a failure to spawn ends it here; other errors (a failed kill, send) leave the process running.
      if (child.pid === undefined) finish({ error, stderrTail });
    });
  });
  return {
    connection,
    pid: child.pid,
    threadId: undefined,
    exited,
    kill,
    onMessage: (listener) => {
      listeners.push(listener);
    },
  };
}
