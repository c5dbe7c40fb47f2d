import { readFileSync, writeFileSync } from 'node:fs';
import { type NodeChild, spawnNodeChild } from '../node-child.ts';

/** Where the target listens (see attack-target.ts). */
export interface TargetAddresses {
  readonly scopeTcp: string;
  readonly scopeWs: string;
  readonly httpWs: string;
  readonly httpUrl: string;
  readonly resumeTcp: string;
  readonly identityTcp: string;
  readonly lobbyTcp: string;
  readonly lobbyWs: string;
  readonly lobbyPage: string;
  readonly lobbyWebWs: string;
}

/** A session of the target that ended, as the target reported it. */
export interface TargetSessionEnd {
  readonly endpoint: string;
  readonly step: string;
  readonly code: string;
  readonly message: string;
}

/** The target's memory, after a garbage collection, in bytes. */
export interface TargetMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** How a SIP the target spawned ended. */
export interface TargetSipEnd {
  readonly cause: string;
  readonly message: string;
  /** The code its session with the target ended with. */
  readonly session?: string;
}

/** The open-file limit the target runs with: room for the connection floods of class 8 and more. */
const targetOpenFiles = 4_096;

/**
 * The attack suite's handle on one target process (attack-target.ts): its addresses, the session ends
 * and log lines it reported, its memory (from the process itself and from `/proc/<pid>/status`), and
 * commands. The harness kills it with {@link TargetProcess.kill}, which is safe to call at any time.
 */
export class TargetProcess {
  readonly addresses: TargetAddresses;
  /** Every session end the target reported, in order. */
  readonly ends: TargetSessionEnd[];
  /** Every line the target's lobby logged, in order. */
  readonly logs: string[];
  readonly #child: NodeChild;
  #exitedWith: number | string | undefined;

  private constructor(
    child: NodeChild,
    addresses: TargetAddresses,
    ends: TargetSessionEnd[],
    logs: string[],
  ) {
    this.#child = child;
    this.addresses = addresses;
    this.ends = ends;
    this.logs = logs;
    void child.exited.then((code) => {
      this.#exitedWith = code;
    });
  }

  /**
   * Starts a target and waits until it listens everywhere.
   *
   * @throws Error when it does not print its addresses within `timeoutMs` (with its last stderr lines)
   */
  static async start(timeoutMs = 30_000): Promise<TargetProcess> {
    const ends: TargetSessionEnd[] = [];
    const logs: string[] = [];
    const stderr: string[] = [];
    const child = spawnNodeChild(new URL('./attack-target.ts', import.meta.url), [], {
      openFiles: targetOpenFiles,
      onStderr: (line) => {
        if (stderr.length < 200) stderr.push(line);
      },
      onStdout: (line) => {
        // Session ends and log lines come in streams: kept here, not in the child's line queue.
        if (line.startsWith('end ')) {
          ends.push(JSON.parse(line.slice(4)) as TargetSessionEnd);
          return true;
        }
        if (line.startsWith('log ')) {
          if (logs.length < 100_000) logs.push(JSON.parse(line.slice(4)) as string);
          return true;
        }
        return false;
      },
    });
    try {
      const addresses = JSON.parse(await child.line('ready', timeoutMs)) as TargetAddresses;
      return new TargetProcess(child, addresses, ends, logs);
    } catch (error) {
      child.kill();
      throw error;
    }
  }

  /** The target's process id. */
  get pid(): number {
    return this.#child.process.pid ?? -1;
  }

  /** How the target exited, or `undefined` while it runs. */
  get exitedWith(): number | string | undefined {
    return (
      this.#exitedWith ?? (this.#child.process.exitCode === null ? undefined : this.#child.process.exitCode)
    );
  }

  /** Whether the target still runs. */
  get alive(): boolean {
    return this.exitedWith === undefined && this.#child.process.signalCode === null;
  }

  /**
   * Collects garbage in the target and reads its memory.
   *
   * @throws Error when the target does not answer within `timeoutMs` (stalled or gone)
   */
  async memory(timeoutMs = 10_000): Promise<TargetMemory> {
    this.#child.send('memory');
    return JSON.parse(await this.#child.line('memory', timeoutMs)) as TargetMemory;
  }

  /**
   * Resets the kernel's peak-RSS mark of the target (`5` to `/proc/<pid>/clear_refs`), so that
   * {@link TargetProcess.peakRss} measures from now. Returns false where that is not possible.
   */
  resetPeakRss(): boolean {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The target's peak RSS since the last {@link TargetProcess.resetPeakRss} (`VmHWM` in
   * `/proc/<pid>/status`), in bytes: the kernel's figure, right even while the target's event loop is
   * stalled. `undefined` once the target has exited.
   */
  peakRss(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      return match === null ? undefined : Number(match[1]) * 1024;
    } catch {
      return undefined;
    }
  }

  /**
   * The next session end of `endpoint` from index `since` of {@link TargetProcess.ends} on.
   *
   * @returns undefined when none comes within `timeoutMs`
   */
  async nextEnd(endpoint: string, since: number, timeoutMs: number): Promise<TargetSessionEnd | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const end = this.ends.slice(since).find((candidate) => candidate.endpoint === endpoint);
      if (end !== undefined || performance.now() > deadline || !this.alive) return end;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Has the target spawn a hostile SIP running `sips/<module>` and waits for its end.
   *
   * @throws Error when the SIP has not ended within `timeoutMs` (the target ends it after 10 s)
   */
  async sip(
    kind: 'worker' | 'process',
    module: string,
    timeoutMs = 20_000,
    behaviour = '',
  ): Promise<TargetSipEnd> {
    this.#child.send(`sip ${kind} ${module} ${behaviour}`.trimEnd());
    return JSON.parse(await this.#child.line('sip-end', timeoutMs)) as TargetSipEnd;
  }

  /**
   * The resumable scope's sessions parked now, those connected that a drop would park, and all its
   * sessions (see attack-target.ts).
   */
  async parked(timeoutMs = 10_000): Promise<{ parked: number; resumable: number; sessions: number }> {
    this.#child.send('parked');
    return JSON.parse(await this.#child.line('parked', timeoutMs)) as {
      parked: number;
      resumable: number;
      sessions: number;
    };
  }

  /**
   * Has the target call its well-behaved worker SIP (started at the first call): its answer (the
   * error's name when the call failed) and how long it took, in milliseconds.
   */
  async goodSip(timeoutMs = 10_000): Promise<{ answer: unknown; ms: number }> {
    this.#child.send('good-sip');
    return JSON.parse(await this.#child.line('good-sip', timeoutMs)) as { answer: unknown; ms: number };
  }

  /** Has the target read the known-peers file at `path`; resolves with `trusted` or the error's code. */
  async knownPeers(path: string, timeoutMs = 10_000): Promise<string> {
    this.#child.send(`known-peers ${path}`);
    return (JSON.parse(await this.#child.line('known-peers', timeoutMs)) as { code: string }).code;
  }

  /**
   * The payload of the next stdout line of the target (or of a process SIP it spawned, which shares its
   * stdout) that starts with `keyword`.
   */
  line(keyword: string, timeoutMs: number): Promise<string> {
    return this.#child.line(keyword, timeoutMs);
  }

  /** Kills the target (SIGKILL) unless it already exited, and waits for it to be gone. */
  async kill(): Promise<void> {
    this.#child.kill();
    await this.#child.exited;
  }
}
