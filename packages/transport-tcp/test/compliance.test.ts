import { describeTransportCompliance } from '@msc/transport/compliance';
import { it } from 'vitest';
import { tcp } from '../src/index.ts';
import { ipv6LoopbackWorks } from './fixtures/ipv6.ts';
import { testTls } from './fixtures/tls-fixture.ts';

describeTransportCompliance('tcp() on 127.0.0.1', async () => ({
  transport: tcp(),
  address: 'tcp:127.0.0.1:0',
  teardown: async () => {},
}));

describeTransportCompliance('tcp() with TLS on 127.0.0.1', async () => ({
  transport: tcp({ tls: testTls }),
  address: 'tcp:127.0.0.1:0',
  teardown: async () => {},
}));

if (await ipv6LoopbackWorks()) {
  describeTransportCompliance('tcp() on [::1]', async () => ({
    transport: tcp(),
    address: 'tcp:[::1]:0',
    teardown: async () => {},
  }));
} else {
  it.skip('tcp() on [::1]: skipped because this machine cannot listen on the IPv6 loopback', () => {});
}
