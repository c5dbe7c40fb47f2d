// The scenarios live beside the TCP package's proxy (one copy, run by both transports).
import { resumeScenarios } from '../../transport-tcp/test/fixtures/resume-scenarios.ts';
import { ws } from '../src/index.ts';

resumeScenarios({
  name: 'WebSocket',
  transport: () => ws(),
  listenAddress: 'ws://127.0.0.1:0/msc',
  dialAddress: (port) => `ws://127.0.0.1:${port}/msc`,
});
