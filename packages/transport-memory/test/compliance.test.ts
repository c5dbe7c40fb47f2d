import { describeTransportCompliance } from '@msc/transport/compliance';
import { MemoryRegistry, memory, messagePortTransport } from '../src/index.ts';

describeTransportCompliance('memory()', async () => ({
  transport: memory({ registry: new MemoryRegistry() }),
  address: 'memory:',
  teardown: async () => {},
}));

describeTransportCompliance('memory() with a 2 ms delay', async () => ({
  transport: memory({ registry: new MemoryRegistry(), delayMs: 2 }),
  address: 'memory:',
  teardown: async () => {},
}));

describeTransportCompliance('messagePortTransport()', async () => ({
  transport: messagePortTransport({ registry: new MemoryRegistry() }),
  address: 'message-port:',
  teardown: async () => {},
}));
