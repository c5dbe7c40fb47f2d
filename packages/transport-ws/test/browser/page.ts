// The browser side of test/browser.test.ts, bundled by rollup with the "browser" condition: @msc/transport-ws
// resolves to its native-WebSocket build here. It connects a Scope to the page's own server, makes pipelined
// calls, hands the server a capability to call back, and reports to the test through `window.mscResult`.
import { type Proxy, proxy } from '@msc/eventual';
import { Scope, unauthenticated } from '@msc/session';
import { ws } from '@msc/transport-ws';
import type { IDesk, IListener } from '../../../transport-tcp/test/fixtures/counter.ts';

interface Report {
  transportName: string;
  usesNodeWs: boolean;
  pipelined: number[];
  callBack: string;
  echoed: number;
  error?: string;
}

class PageListener implements IListener {
  readonly heard: number[] = [];
  async notify(value: number) {
    this.heard.push(value);
    return `the page heard ${value}`;
  }
}

async function main(): Promise<Report> {
  const transport = ws({ idleTimeoutMs: 10_000 });
  const scope = new Scope({ transport, authenticator: unauthenticated() });
  const address = `ws://${location.host}/msc`;
  const desk: Proxy<IDesk> = scope.connect<IDesk>(address);
  // Pipelined: getCounter() has not returned when inc() goes out; none of these is awaited before the next.
  const counter = desk.getCounter();
  const increments = [counter.inc(), counter.inc(10), counter.inc(100)];
  const listener = proxy<IListener>(new PageListener());
  const callBack = desk.callBack(listener, 21);
  const echoed = desk.echo('x'.repeat(50_000));
  const report: Report = {
    transportName: transport.name,
    usesNodeWs: typeof (globalThis as { process?: unknown }).process !== 'undefined',
    pipelined: await Promise.all(increments),
    callBack: await callBack,
    echoed: (await echoed).length,
  };
  listener[Symbol.dispose]();
  counter[Symbol.dispose]();
  desk[Symbol.dispose]();
  await scope.close('the page is done');
  return report;
}

const target = window as unknown as { mscResult?: Report };
main().then(
  (report) => {
    target.mscResult = report;
  },
  (error: unknown) => {
    target.mscResult = {
      transportName: '',
      usesNodeWs: false,
      pipelined: [],
      callBack: '',
      echoed: 0,
      error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error),
    };
  },
);
