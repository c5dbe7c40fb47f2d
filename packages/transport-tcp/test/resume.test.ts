import { tcp } from '../src/index.ts';
import { parkedStreamScenarios } from './fixtures/parked-stream-scenarios.ts';
import { type ResumeNetwork, resumeScenarios } from './fixtures/resume-scenarios.ts';

const network: ResumeNetwork = {
  name: 'TCP',
  transport: () => tcp(),
  listenAddress: 'tcp:127.0.0.1:0',
  dialAddress: (port) => `tcp:127.0.0.1:${port}`,
};

resumeScenarios(network);
parkedStreamScenarios(network);
