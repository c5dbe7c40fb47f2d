/**
 * @msc/session: the MSC session protocol (RPC5). A session turns one transport connection into the
 * programming model of `@msc/eventual`: the peer's root capability is a `Proxy<I>` like any local
 * one, with pipelining, instance order (including the loopback case), capability exchange in both
 * directions, release and well-defined termination. Scopes own sessions.
 *
 * @example
 * ```ts
 * import { proxy } from '@msc/eventual';
 * import { Scope, unauthenticated } from '@msc/session';
 * import { memory } from '@msc/transport-memory';
 *
 * interface IGreeter { greet(name: string): Promise<string> }
 * class Greeter implements IGreeter { async greet(name: string) { return `hello ${name}`; } }
 *
 * const transport = memory();
 * await using server = new Scope({ transport, authenticator: unauthenticated(), root: proxy<IGreeter>(new Greeter()) });
 * await server.listen('memory:greeter');
 * await using client = new Scope({ transport, authenticator: unauthenticated() });
 * const greeter = client.connect<IGreeter>('memory:greeter');
 * console.log(await greeter.greet('world')); // "hello world"
 * ```
 *
 * @packageDocumentation
 */

import { enableCallTracing } from './call-tracing.ts';
// The export list is `browser.ts`'s; this entry adds the stream part, listening, resumption, the call
// context part, call tracing, authentication and logging, which the browser entry leaves out
// (stream-part.ts, listening-part.ts, resume/resume-part.ts, call-context-part.ts, call-tracer.ts,
// authentication-part.ts, logging-part.ts): every session started through it carries streams, takes
// the `resume` and `callTracer` options, runs any authenticator and serves calls with their
// contexts, and every scope can listen and log. Values mode (value-mode.ts)
// is opt-in on both entries (`enableMessagePortValues()`): measured over a MessageChannel, a turn of
// many small messages clones more slowly as one values frame than as one CBOR frame (W2 8-16% worse),
// so bytes stay the default.
import { enableAuthentication } from './enable-authentication.ts';
import { enableCallContext } from './enable-call-context.ts';
import { enableListening } from './enable-listening.ts';
import { enableLogging } from './enable-logging.ts';
import { enableResumption } from './enable-resumption.ts';
import { enableStreams } from './enable-streams.ts';

export * from './browser.ts';

enableStreams();
enableListening();
enableResumption();
enableCallContext();
enableCallTracing();
enableAuthentication();
enableLogging();
