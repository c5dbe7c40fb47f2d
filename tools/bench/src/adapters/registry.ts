/**
 * Every adapter the harness knows, in table order. Each entry is loaded lazily, in the process that
 * measures it, so that one library's globals (the `ses` environment of CapTP) and heap never touch
 * another's measurements.
 *
 * Adding a library or a transport: write one file in this folder that exports an `Adapter` (see
 * `../adapter.ts`; copy `capnweb.ts` for an RPC library over a `links/` network), then add one entry
 * here. The key must be unique; it names the child process and the `--only` filter.
 *
 * With `--baseline <ref>`, every selected `@msc/…` entry gets a twin from `baselineEntry`: the same
 * adapter, loaded in a process whose `@msc/*` imports go to the baseline's build.
 */
import type { Adapter } from '../adapter.ts';
import type { Network } from '../links/link.ts';

/** One adapter the harness can run. */
export interface RegistryEntry {
  /** Unique key, `library/transport`, used by `--only` and in error reports. */
  readonly key: string;
  /** Loads the adapter module and returns the adapter. */
  readonly load: () => Promise<Adapter>;
}

/** An OpenTelemetry call tracer whose spans are made, sampled and ended, then dropped (no processor). */
const benchCallTracer = async () => {
  const { openTelemetryCallTracer } = await import('@msc/opentelemetry');
  const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
  return openTelemetryCallTracer({ tracerProvider: new BasicTracerProvider() });
};
const memory = async () => (await import('../links/memory-network.ts')).memoryNetwork;
const websocket = async () => (await import('../links/websocket-network.ts')).websocketNetwork;
const tcp = async () => (await import('../links/tcp-network.ts')).tcpNetwork;

/** All adapters, subjects first, then peers, floors and codecs. */
export const registry: readonly RegistryEntry[] = [
  // ── @msc ──────────────────────────────────────────────────────────────────────────────────────
  { key: '@msc/memory', load: async () => (await import('./msc.ts')).mscAdapter('message-port') },
  { key: '@msc/in-process', load: async () => (await import('./msc.ts')).mscAdapter('in-process') },
  { key: '@msc/tcp', load: async () => (await import('./msc.ts')).mscNetworkAdapter('tcp') },
  { key: '@msc/websocket', load: async () => (await import('./msc.ts')).mscNetworkAdapter('websocket') },
  { key: '@msc/worker', load: async () => (await import('./msc-worker.ts')).mscWorkerAdapter },
  // Every call traced with @msc/opentelemetry into a real SDK provider that exports nothing (the cost
  // of tracing on, issue 20): compare with `--only @msc/memory,@msc-traced/memory --workloads W1`.
  // Not `@msc/…`: a `--baseline` build predates tracing, so these rows get no baseline twin.
  {
    key: '@msc-traced/memory',
    load: async () => (await import('./msc.ts')).mscAdapter('message-port', await benchCallTracer()),
  },
  {
    key: '@msc-traced/tcp',
    load: async () => (await import('./msc.ts')).mscNetworkAdapter('tcp', await benchCallTracer()),
  },
  // ── peers ─────────────────────────────────────────────────────────────────────────────────────
  {
    key: 'capnweb/memory',
    load: async () => (await import('./capnweb.ts')).capnwebAdapter(await memory(), 'structuredClonable'),
  },
  { key: 'capnweb/worker', load: async () => (await import('./capnweb-worker.ts')).capnwebWorkerAdapter },
  {
    key: 'capnweb/websocket',
    load: async () => (await import('./capnweb.ts')).capnwebAdapter(await websocket(), 'string'),
  },
  { key: '@endo/captp/memory', load: async () => (await import('./captp.ts')).captpAdapter(await memory()) },
  {
    key: 'birpc/memory',
    load: async () => (await import('./birpc.ts')).birpcAdapter(await memory(), 'structured-clone'),
  },
  { key: 'birpc/worker', load: async () => (await import('./birpc-worker.ts')).birpcWorkerAdapter },
  {
    key: 'birpc/websocket',
    load: async () => (await import('./birpc.ts')).birpcAdapter(await websocket(), 'cbor-x'),
  },
  // ── floors: no RPC library ────────────────────────────────────────────────────────────────────
  {
    key: 'floor/memory',
    load: async () => {
      const { floorAdapter, valueCodec } = await import('./floor.ts');
      return floorAdapter('floor: MessageChannel', await memory(), valueCodec);
    },
  },
  // The local-call floors: the first (a call through a proxy) is the one the @msc in-process row's
  // ×floor is against.
  {
    key: 'floor/local-calls-proxied',
    load: async () => (await import('./floor-local-calls.ts')).floorLocalCallsAdapter('proxied'),
  },
  {
    key: 'floor/local-calls',
    load: async () => (await import('./floor-local-calls.ts')).floorLocalCallsAdapter('pipelinable'),
  },
  {
    key: 'floor/local-calls-plain',
    load: async () => (await import('./floor-local-calls.ts')).floorLocalCallsAdapter('plain'),
  },
  { key: 'floor/worker', load: async () => (await import('./floor-worker.ts')).floorWorkerAdapter },
  {
    key: 'floor/tcp',
    load: async () => {
      const { floorAdapter, frameCodec } = await import('./floor.ts');
      return floorAdapter('floor: framed TCP', await tcp(), frameCodec);
    },
  },
  {
    key: 'floor/websocket',
    load: async () => {
      const { floorAdapter, frameCodec } = await import('./floor.ts');
      // The floor sends only bytes, so every frame it gets back is a binary frame (a Uint8Array).
      return floorAdapter(
        'floor: ws',
        (await websocket()) as Network<unknown> as Network<Uint8Array>,
        frameCodec,
      );
    },
  },
  // ── codecs: no transport ──────────────────────────────────────────────────────────────────────
  { key: 'codec/cbor-x', load: async () => (await import('./codec.ts')).cborAdapter },
  { key: 'codec/json', load: async () => (await import('./codec.ts')).jsonAdapter },
];

/** Entry transports (the key after its last `/`) measured in the `memory` lockstep group. */
const memoryGroupTransports = new Set([
  'memory',
  'in-process',
  'local-calls-proxied',
  'local-calls',
  'local-calls-plain',
]);
/** Entry transports of the codec rows, which have no transport and are compared with each other. */
const codecGroupTransports = new Set(['cbor-x', 'json']);

/**
 * The lockstep group of `entry`: the entries whose rows are compared with each other, measured in
 * lockstep together and apart from the other groups (`main.ts`, "one group at a time"). Every ratio
 * the report gives is between rows of one transport: the MessageChannel rows with the in-process row
 * and the local-call floors (`memory`), the worker rows, the TCP rows, the WebSocket rows, and the
 * codecs. A new transport is a group of its own.
 */
export function lockstepGroup(entry: RegistryEntry): string {
  const transport = entry.key.slice(entry.key.lastIndexOf('/') + 1);
  if (memoryGroupTransports.has(transport)) return 'memory';
  if (codecGroupTransports.has(transport)) return 'codec';
  return transport;
}

/** Whether `entry` measures @msc (and so gets a baseline twin with `--baseline`). */
export function isMscEntry(entry: RegistryEntry): boolean {
  return entry.key.startsWith('@msc/');
}

/**
 * The baseline twin of an @msc entry: key `@msc@<label>/<transport>`, and the same adapter with its
 * library named `@msc@<label>…` (`@msc@30e2494`, `@msc@30e2494 (in-process, no MessageChannel)`). What
 * it measures depends on the process loading it: `measure-process.ts` makes `@msc/*` resolve to the
 * baseline build first (`useBaselineBuild`).
 */
export function baselineEntry(entry: RegistryEntry, label: string): RegistryEntry {
  if (!isMscEntry(entry)) throw new Error(`expected an @msc entry for a baseline, got ${entry.key}`);
  return {
    key: entry.key.replace(/^@msc\//, `@msc@${label}/`),
    load: async () => {
      const adapter = await entry.load();
      return {
        ...adapter,
        library: adapter.library.replace(/^@msc/, `@msc@${label}`),
        baselineOf: adapter.library,
      };
    },
  };
}
