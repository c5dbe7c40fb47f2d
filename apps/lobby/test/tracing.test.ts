import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instrumentSessions } from '@msc/opentelemetry';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { sipGameHost } from '../src/sip-game-host.ts';
import type { SpanLine } from './fixtures/sip-tracing.ts';
import { eventually, launchedGame, startLobby, transportCases } from './harness.ts';

/**
 * Issue 20: one trace spans a browser-less client, the lobby server and a game in a SIP. Every
 * session of this process (the clients', the lobby's, the lobby's side of each game SIP) is traced
 * into one in-memory exporter; each game SIP traces its own side with a provider of its own (the
 * setup module `fixtures/sip-tracing.ts`, bundled into the SIP) and writes its spans to a file this
 * test reads back.
 */

let exporter: InMemorySpanExporter;
let uninstall: () => void;
let directory: string;

beforeEach(async () => {
  exporter = new InMemorySpanExporter();
  uninstall = instrumentSessions({
    tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  });
  directory = await mkdtemp(join(tmpdir(), 'msc-lobby-tracing-'));
});

afterEach(async () => {
  uninstall();
  // A SIP's last spans may still be landing as its thread or process ends.
  await rm(directory, { recursive: true, force: true, maxRetries: 5 });
});

describe.each(['worker', 'process'] as const)('a traced lobby with %s game SIPs', (kind) => {
  test('a move is one trace: client -> lobby server -> lobby client -> game SIP server', async () => {
    const spanFile = join(directory, 'sip-spans.jsonl');
    const lobby = await startLobby(
      transportCases[0]!,
      sipGameHost({
        kind,
        setupModules: [new URL('./fixtures/sip-tracing.ts', import.meta.url)],
        env: { MSC_SPAN_FILE: spanFile },
      }),
    );
    const game = await launchedGame(lobby);
    const [x] = game.players;
    await x.move(4);
    // Complete lines only: the SIP may be appending while this reads.
    const sipSpans = () =>
      existsSync(spanFile)
        ? readFileSync(spanFile, 'utf8')
            .split('\n')
            .slice(0, -1)
            .map((line) => JSON.parse(line) as SpanLine)
        : [];
    const local = exporter.getFinishedSpans();
    // The player's call: the root of its trace, in this process.
    const client = local.find(
      (span) =>
        span.name === 'msc move' && span.kind === SpanKind.CLIENT && span.parentSpanContext === undefined,
    )!;
    expect(client).toBeDefined();
    const traceId = client.spanContext().traceId;
    const childOf = (spanId: string, spanKind: SpanKind) =>
      local.find((span) => span.parentSpanContext?.spanId === spanId && span.kind === spanKind);
    const lobbyServer = childOf(client.spanContext().spanId, SpanKind.SERVER)!;
    const lobbyClient = childOf(lobbyServer.spanContext().spanId, SpanKind.CLIENT)!;
    expect(lobbyServer.name).toBe('msc move');
    expect(lobbyClient.name).toBe('msc move');
    expect(lobbyServer.attributes['msc.peer.fingerprint']).toEqual(expect.any(String)); // the player's identity
    await eventually(
      () => sipSpans().some((span) => span.parentSpanId === lobbyClient.spanContext().spanId),
      'the game SIP wrote its span of the move',
    );
    const sipServer = sipSpans().find((span) => span.parentSpanId === lobbyClient.spanContext().spanId)!;
    expect(sipServer).toMatchObject({ name: 'msc move', kind: SpanKind.SERVER, traceId });
    for (const span of [lobbyServer, lobbyClient]) expect(span.spanContext().traceId).toBe(traceId);
    for (const span of [client, lobbyServer, lobbyClient])
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    for (const player of game.players) player[Symbol.dispose]();
    // The game SIPs end with the server (the harness would close it after the span file is gone).
    await lobby.server.close();
  });
});
