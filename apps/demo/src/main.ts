// A short end-to-end tour of MSC over an in-process transport: a server scope and a client scope,
// pipelined capability calls, a capability sent back home, a stream with flow control, and a scope
// whose end aborts what spans it. `npm run demo` runs the lobby demo once it exists.
import { type AbortedError, type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';
import { Scope, unauthenticated } from '@msc/session';
import { memory } from '@msc/transport-memory';

interface ICounter {
  increment(by: number): Promise<number>;
}
interface IServer {
  counter(name: string): Proxy<ICounter>;
  callMeBack(client: Proxy<IClient>): Promise<string>;
  ticks(count: number): Sequence<number>;
  never(): Promise<void>;
}
interface IClient {
  hello(from: string): Promise<string>;
}

class Counter implements ICounter {
  #value = 0;
  constructor(readonly name: string) {}
  async increment(by: number) {
    this.#value += by;
    return this.#value;
  }
  [Symbol.dispose]() {
    log(`server: counter '${this.name}' released by its last holder`);
  }
}

class Server implements IServer {
  counter(name: string) {
    // Returning gives the caller the only reference: the counter is disposed when it lets go.
    return proxy<ICounter>(new Counter(name));
  }
  async callMeBack(client: Proxy<IClient>) {
    return await client.hello('the server');
  }
  ticks(count: number) {
    const [items, writer] = sequence<number>();
    void (async () => {
      for (let tick = 1; tick <= count; tick++) {
        writer.write(tick);
        await writer.flush(); // waits while the client's window is full
      }
      await writer.close();
    })().catch(() => {});
    return items;
  }
  never() {
    return new Promise<void>(() => {});
  }
}

class Client implements IClient {
  async hello(from: string) {
    return `hello ${from}, from the client`;
  }
}

const started = performance.now();
function log(line: string): void {
  console.log(`[${(performance.now() - started).toFixed(1).padStart(6)} ms] ${line}`);
}

const transport = memory();
const server = new Scope({ transport, authenticator: unauthenticated(), root: proxy<IServer>(new Server()) });
await server.listen('memory:demo');
log('server: listening on memory:demo');
await using client = new Scope({ transport, authenticator: unauthenticated() });
const remote = client.connect<IServer>('memory:demo');
log('client: connected; the root proxy is usable before the handshake ends');

{
  using counter = remote.counter('clicks'); // a capability result: usable at once
  const results = await Promise.all([counter.increment(1), counter.increment(2), counter.increment(3)]);
  log(`client: three pipelined increments, in call order → ${results.join(', ')}`);
}

const me = proxy<IClient>(new Client());
log(`client: sent a capability to the server, which called it back → "${await remote.callMeBack(me)}"`);
me[Symbol.dispose]();

const ticks = remote.ticks(5);
ticks.capacity = 2; // the consumer owns flow control: at most 2 ticks in flight
const received: number[] = [];
for await (const tick of ticks) received.push(tick);
log(`client: streamed ticks with a window of 2 → ${received.join(', ')}`);

const pending = remote.never();
log('server: shutting its scope down while a call is pending');
await server.close('demo over');
try {
  await pending;
} catch (error) {
  log(`client: the pending call settled with ${(error as Error).name}: ${(error as AbortedError).message}`);
}
log('done: every eventual value settled');
