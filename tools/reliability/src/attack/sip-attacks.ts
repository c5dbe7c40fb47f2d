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

/**
 * What a hostile worker SIP (sips/hostile-worker.ts) posts on its session's port once its session is
 * established, by behaviour, with the session codes the target's session with it may end with: a
 * violation ends it with `protocol` (or `limit`, for a size past a limit); a flood breaks no rule and
 * the SIP leaves by itself (its session then ends `connection-lost` or `closed`).
 */
const violation = ['protocol', 'limit'];
const leftByItself = ['connection-lost', 'closed', 'protocol', 'limit'];
const valuesBehaviours: Readonly<Record<string, readonly string[]>> = {
  'values-not-an-array': violation,
  'values-without-size': violation,
  'values-huge-declared-size': violation,
  'values-understated-size': violation,
  'values-deeply-nested': violation,
  'values-cyclic': violation,
  'values-transferred-port': violation,
  'values-uncloneable-looking': violation,
  'values-unknown-tags': violation,
  'values-forged-capability': violation,
  'acknowledgement-flood': leftByItself,
  'call-flood': leftByItself,
};
const bytesBehaviours: Readonly<Record<string, readonly string[]>> = {
  'bytes-garbage': violation,
  'bytes-past-frame-limit': violation,
  'bytes-values-frame': violation,
  'bytes-acknowledgement-overflow': violation,
  'bytes-unknown-control': violation,
  'bytes-long-string-frame': violation,
  'bytes-wide-string-frame': violation,
};

/**
 * Class 7, a hostile worker SIP's values: the target spawns a worker SIP that starts as a real one
 * (`runSip()`, in values mode or the default bytes mode), so its session with the target is established,
 * then posts garbage straight on its session's port, one behaviour per SIP, one SIP after the other:
 * messages of the wrong shape, huge or understated declared sizes, values nested 20,000 deep, cyclic
 * values, a transferred MessagePort, Maps, RegExps, Dates, BigInts and Errors, unknown message tags, a
 * call on an export it was never given, string frames too long or with a character that is no byte, floods of 200,000 acknowledgements and of 10,000 values frames of
 * 16 calls (20,000 such frames stalled the target for 5 s before a MessagePort connection got a per-turn
 * budget in `@msc/transport-memory`; the bystander's latency bound covers it). Beside them the target
 * keeps a well-behaved worker SIP, called before and after each hostile one. Holds: each hostile SIP's
 * session ends with its named code (`protocol` or `limit` for a violation), the SIP is gone, the call
 * it made on the parent's root (it was given none) failed with `NothingError`, and the well-behaved SIP
 * answers within 1 s every time. Names the session codes seen (`protocol`, `limit/protocol`), else what
 * went wrong first.
 */
async function hostileWorkerValues(context: AttackContext): Promise<string> {
  const problems: string[] = [];
  const codes = new Set<string>();
  const seen: string[] = [];
  const good = async (when: string) => {
    const { answer, ms } = await context.target.goodSip();
    if (answer !== 'still there?' || ms > 1_000) {
      problems.push(`the well-behaved SIP ${when} answered ${JSON.stringify(answer)} in ${ms} ms`);
    }
  };
  await good('before');
  const runs = [
    ...Object.entries(valuesBehaviours).map(
      ([behaviour, codes]) => ['hostile-values.sip.ts', behaviour, codes] as const,
    ),
    ...Object.entries(bytesBehaviours).map(
      ([behaviour, codes]) => ['hostile-bytes.sip.ts', behaviour, codes] as const,
    ),
  ];
  for (const [module, behaviour, expected] of runs) {
    const end = await context.target.sip('worker', module, 30_000, behaviour);
    let saw: { parentRootCall?: string; posted?: unknown } = {};
    try {
      saw = JSON.parse(await context.target.line('sip-saw', 5_000)) as typeof saw;
    } catch {
      problems.push(`${behaviour}: the SIP never got to post`);
    }
    const session = end.session ?? 'none';
    codes.add(session);
    seen.push(`${behaviour} ${session}`);
    if (!expected.includes(session))
      problems.push(`${behaviour}: its session ended '${session}' (${end.message})`);
    if (saw.parentRootCall !== undefined && saw.parentRootCall !== 'NothingError') {
      problems.push(`${behaviour}: its call on the parent's root answered ${saw.parentRootCall}`);
    }
    await context.sampleMemory();
    await good(`after ${behaviour}`);
  }
  context.note(seen.join(', '));
  if (problems.length > 0) return problems[0]!;
  return [...codes]
    .filter((code) => violation.includes(code))
    .sort()
    .join('/');
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
    id: 'worker-sip-hostile-values',
    attackClass: 7,
    description:
      'worker SIPs in values and bytes mode post wrong shapes, huge and understated sizes, deep and cyclic values, a transferred port, unknown tags, a forged capability, floods, beside a well-behaved SIP',
    endpoint: 'sip (worker)',
    expected: ['protocol', 'limit/protocol'],
    memoryBoundMiB: 48,
    // A worker SIP is a thread of the target: its isolate (about 15-20 MiB each), the 16 MiB frame it
    // builds and what it posts ahead of its parent (10,000 values frames) are the target's RSS too, and
    // of 18 workers started one after the other not all the memory comes back to the system at once
    // (+119-120 MiB at scale 1, +107 MiB in the quiet report at scale 2; what the target retains after
    // collection is the 48 MiB bound). Under load the parent takes the flood slower, so more of it waits
    // in the port's queue: +161.7 MiB in the full parallel test run at b14ab8a. That queue is not bounded
    // by the connection (transport-memory README, "Limits"): this bound is the envelope observed, not a
    // guarantee, until a receiving side can refuse a peer thread that posts past its credit.
    peakRssBoundMiB: 256,
    timeoutMs: 90_000,
    run: hostileWorkerValues,
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
