/*
 * The minimal browser client whose size the budget bounds (`size-budget.ts`): a page script that dials
 * its server over the native WebSocket (`@msc/transport-ws` under the `browser` condition), makes a
 * scope (`@msc/session`'s browser entry: no stream part and no resumption, since the page sends and
 * receives no stream and does not resume), calls one method on the server's root and awaits the result. Bundled, never run: what it
 * pulls in is what every page that talks to an MSC server pays before its own code.
 */
import { Scope, unauthenticated } from '@msc/session';
import { ws } from '@msc/transport-ws';

interface IGreeter {
  greet(name: string): Promise<string>;
}

await using scope = new Scope({ transport: ws(), authenticator: unauthenticated() });
const greeter = scope.connect<IGreeter>(`wss://${location.host}/msc`);
document.body.textContent = await greeter.greet('world');
