import { tcp } from '../src/index.ts';
import { resumeScenarios } from './fixtures/resume-scenarios.ts';

resumeScenarios({
  name: 'TCP',
  transport: () => tcp(),
  listenAddress: 'tcp:127.0.0.1:0',
  dialAddress: (port) => `tcp:127.0.0.1:${port}`,
});
