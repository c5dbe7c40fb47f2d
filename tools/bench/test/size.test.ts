import { describe, expect, it } from 'vitest';
import { measureClientSizes, minimalClientGzipBudget } from '../src/size/size-budget.ts';
import { formatSizes } from '../src/size/size-report.ts';

// Sizes are deterministic (same sources, same esbuild, same zlib level), so unlike timings they can
// fail the build.
describe('the minimal browser client', () => {
  it(`bundles for browsers within ${minimalClientGzipBudget} bytes min+gzip, with no Node module in it`, async () => {
    const [msc, capnweb] = await measureClientSizes('sources');
    const report = formatSizes([msc!, capnweb!]);
    expect(msc!.gzippedBytes, report).toBeLessThanOrEqual(minimalClientGzipBudget);
    expect(msc!.gzippedBytes).toBeGreaterThan(0);
    expect(msc!.minifiedBytes).toBeGreaterThan(msc!.gzippedBytes);
    // The browser condition keeps `ws` and Node built-ins out; were they in, esbuild would have
    // failed on `node:` imports or `ws` would show here.
    expect(msc!.packages.map((part) => part.name)).not.toContain('ws');
    // @msc/session's browser entry leaves the stream part out (a page enables it with enableStreams()).
    const modules = msc!.modules.map((part) => part.name);
    expect(modules).not.toContain('packages/session/src/stream-bridge.ts');
    expect(modules).not.toContain('packages/eventual/src/streams/flow-queue.ts');
    // ... and with it a call result's consumer view for sequences (for await, capacity, batchSize).
    expect(modules).not.toContain('packages/eventual/src/facade/result-streams.ts');
    // ... and listening (a page dials; enableListening() brings a scope's listeners).
    expect(modules).not.toContain('packages/session/src/scope-listeners.ts');
    // ... and resumption (a page with the resume option enables it with enableResumption()).
    expect(modules).not.toContain('packages/session/src/resume/resumable-connection.ts');
    expect(modules).not.toContain('packages/session/src/resume/resume-exchange.ts');
    // ... and call contexts, for a page that never scopes a call (withOptions()) and serves none
    // with its context (enableCallContext()).
    expect(modules).not.toContain('packages/eventual/src/context/call-context.ts');
    expect(modules).not.toContain('packages/eventual/src/context/context-result.ts');
    expect(modules).not.toContain('packages/session/src/served-contexts.ts');
    // ... and the checks of ContractRegistry.register() (@msc/serialization's browser entry), for a page
    // that registers no contract through a registry's method (enableContracts()).
    expect(modules).not.toContain('packages/serialization/src/contract-definition.ts');
    expect(capnweb!.packages.map((part) => part.name)).toContain('capnweb');
  });

  it('the report names both clients, their sizes and their largest packages', () => {
    const size = (client: string, gzippedBytes: number) => ({
      client,
      minifiedBytes: gzippedBytes * 3,
      gzippedBytes,
      packages: [{ name: 'cbor-x', minifiedBytes: 30_621 }],
      modules: [
        { name: 'cbor-x/decode.js', minifiedBytes: 15_694 },
        { name: 'cbor-x/encode.js', minifiedBytes: 14_927 },
      ],
    });
    const report = formatSizes([size('@msc', minimalClientGzipBudget + 1), size('capnweb', 15_079)]);
    expect(report).toContain('@msc     min');
    expect(report).toContain('(OVER budget)');
    expect(report).toContain('capnweb  min   45.2 kB  min+gzip  15.1 kB');
    expect(report).toContain('cbor-x/decode.js 15.7 kB, cbor-x/encode.js 14.9 kB');
  });
});
