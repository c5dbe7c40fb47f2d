// The scenarios live beside the TCP package's proxy (one copy, run by both transports).
import { parkedStreamScenarios } from '../../transport-tcp/test/fixtures/parked-stream-scenarios.ts';
import { type ResumeNetwork, resumeScenarios } from '../../transport-tcp/test/fixtures/resume-scenarios.ts';
import { ws } from '../src/index.ts';

const network: ResumeNetwork = {
  name: 'WebSocket',
  transport: () => ws(),
  listenAddress: 'ws://127.0.0.1:0/msc',
  dialAddress: (port) => `ws://127.0.0.1:${port}/msc`,
};

resumeScenarios(network);
parkedStreamScenarios(network);
