import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process SIP runs in a process group of its own (spawned `detached`, so its pid is the group id), and every
 * process it starts that does not leave the group is in it: ending the SIP signals the whole group, so nothing it
 * started outlives it, whether it cooperates or not.
 *
 * Pid reuse: a process group id stays taken while any process is in the group, so signalling `-pgid` reaches only
 * our group as long as it has a member. The one gap is a group that is already empty whose id was handed to a new
 * process that leads a group of its own. So:
 * - while the SIP itself has not been reaped (Node has not reported its exit), its pid is still ours and the group
 *   is signalled at once ({@link signalGroupOfLiveLeader});
 * - after its exit, the group is signalled only when no process has that pid ({@link signalOrphanedGroup}): a
 *   process with that pid means the id was reused, which can only happen once our group is empty.
 */

function signal(target: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, name);
    return true;
  } catch {
    return false; // ESRCH: nothing there; EPERM: not ours
  }
}

/** Kills the group led by `pid`, a SIP whose exit Node has not reported yet (so the pid cannot have been reused). */
export function signalGroupOfLiveLeader(pid: number): void {
  if (process.platform === 'win32') return;
  signal(-pid, 'SIGKILL');
}

/** Kills what is left of the group of `pgid` after its leader exited, unless the id was reused (see above). */
export function signalOrphanedGroup(pgid: number): void {
  if (process.platform === 'win32') return;
  if (signal(pgid, 0)) return; // a process has this pid again: our group is empty, the id belongs to someone else
  signal(-pgid, 'SIGKILL');
}

/**
 * Whether any process of group `pgid` still runs code. On Linux a zombie (dead, not yet reaped) does not count;
 * elsewhere a zero signal to the group decides.
 */
export function groupRunning(pgid: number): boolean {
  if (process.platform === 'win32') return false;
  if (process.platform !== 'linux') return signal(-pgid, 0);
  if (!signal(-pgid, 0)) return false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // After the parenthesised command name: state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/** Waits until no process of group `pgid` runs code (polling every 10 ms), at most `timeoutMs`. */
export async function groupGone(pgid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupRunning(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Whether `pid` descends from `ancestor` (Linux: the parent chain in /proc; elsewhere it cannot tell: true). */
export function descendsFrom(pid: number, ancestor: number): boolean {
  if (process.platform !== 'linux') return true;
  let current = pid;
  for (let depth = 0; depth < 64 && current > 1; depth += 1) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${current}/stat`, 'utf8');
    } catch {
      return false;
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === ancestor) return true;
    current = parent;
  }
  return false;
}
