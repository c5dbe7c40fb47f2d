import { describeTransportCompliance } from '@msc/transport/compliance';
import { ws } from '../src/index.ts';
import { testTls } from './fixtures/tls-fixture.ts';

describeTransportCompliance('ws() on 127.0.0.1', async () => ({
  transport: ws(),
  address: 'ws://127.0.0.1:0/msc',
  teardown: async () => {},
}));

describeTransportCompliance('ws() with TLS (wss:) on 127.0.0.1', async () => ({
  transport: ws({ tls: testTls }),
  address: 'wss://127.0.0.1:0/msc',
  teardown: async () => {},
}));
