import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` still runs code. A zombie (dead, not yet reaped: its parent was killed and nobody reaps
 * orphans in some containers) counts as gone. Linux reads `/proc/<pid>/stat`; elsewhere a zero signal decides.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: it exists but belongs to someone else (a reused pid): not ours, so not running as far as we care.
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the parenthesised command name, which may itself contain spaces or parentheses.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Kills every process in `pids`, and the process group each leads (a process SIP leads its own), with SIGKILL,
 * and waits until none of them runs code any more (polling every 10 ms), at most `timeoutMs` milliseconds.
 * Returns the pids still running after that (normally none).
 */
export async function killProcesses(pids: Iterable<number>, timeoutMs = 5_000): Promise<number[]> {
  let remaining = [...pids];
  for (const pid of remaining) {
    // A process SIP leads a process group of its own: what it started goes with it.
    for (const target of process.platform === 'win32' ? [pid] : [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    remaining = remaining.filter(isProcessRunning);
    if (remaining.length === 0 || Date.now() > deadline) return remaining;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
