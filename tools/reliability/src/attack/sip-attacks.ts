import type { Attack, AttackContext } from './attack.ts';
import { sleep } from './raw-socket.ts';

/**
 * Class 7, garbage on the IPC channel: a process SIP writes 12 bytes that are no advanced-serialization
 * message straight to its IPC file descriptor. Fixed: the parent treats the SIP as untrusted input: the
 * parse error ends that SIP with a named cause, the parent carries on. Names the SIP's end cause.
 */
async function ipcGarbage(context: AttackContext): Promise<string> {
  const end = await context.target.sip('process', 'ipc-garbage.mjs');
  context.note(end.message);
  return end.cause;
}

/**
 * Class 7, garbage on a worker's port: a worker SIP posts messages of the wrong shape (an object, a byte
 * string, a string, an array nested 1,000 deep) on its parent port. Fixed: the parent drops what is not
 * the SIP protocol; the SIP, which never completes its handshake, is ended by its parent (`terminated`,
 * after `handshakeTimeoutMs` and the exit grace) or with `protocol`; the parent carries on.
 */
async function portGarbage(context: AttackContext): Promise<string> {
  const end = await context.target.sip('worker', 'port-garbage.mjs');
  context.note(end.message);
  return end.cause;
}

/** Whether process `pid` exists (signal 0 checks without sending anything). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Class 7, a grandchild: a process SIP starts `sleep 60` and never speaks the SIP protocol, so its
 * parent ends it when the handshake times out. Fixed: its descendants end with it: names
 * `descendants-ended` when the grandchild is gone within 2 s of the SIP's end, `grandchild-outlived`
 * otherwise (the suite kills it then).
 */
async function grandchild(context: AttackContext): Promise<string> {
  const ended = context.target.sip('process', 'grandchild.mjs');
  const pid = Number(await context.target.line('grandchild', 10_000));
  context.defer(() => {
    if (exists(pid)) process.kill(pid, 'SIGKILL');
  });
  await ended;
  for (let attempt = 0; attempt < 40 && exists(pid); attempt++) await sleep(50);
  return exists(pid) ? 'grandchild-outlived' : 'descendants-ended';
}

/** Class 7: hostile SIPs spawned by the target. */
export const sipAttacks: readonly Attack[] = [
  {
    id: 'process-sip-ipc-garbage',
    attackClass: 7,
    description: "a process SIP writes 12 bytes of garbage to its IPC channel's file descriptor",
    endpoint: 'sip (process)',
    expected: ['protocol'],
    memoryBoundMiB: 64,
    timeoutMs: 25_000,
    run: ipcGarbage,
  },
  {
    id: 'worker-sip-port-garbage',
    attackClass: 7,
    description: 'a worker SIP posts messages of the wrong shape on its parent port',
    endpoint: 'sip (worker)',
    expected: ['protocol', 'terminated'],
    memoryBoundMiB: 64,
    timeoutMs: 25_000,
    run: portGarbage,
  },
  {
    id: 'process-sip-grandchild',
    attackClass: 7,
    description: 'a process SIP starts a grandchild process, then never speaks the SIP protocol',
    endpoint: 'sip (process)',
    expected: ['descendants-ended'],
    memoryBoundMiB: 64,
    timeoutMs: 25_000,
    run: grandchild,
  },
];
