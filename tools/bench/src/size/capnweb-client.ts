/*
 * capnweb's minimal browser client, the reference beside `minimal-client.ts`: the same page script
 * (dial the page's server over WebSocket, call one method on its main interface, await the result).
 * Bundled, never run.
 */
import { newWebSocketRpcSession } from 'capnweb';

interface IGreeter {
  greet(name: string): Promise<string>;
}

using greeter = newWebSocketRpcSession<IGreeter>(`wss://${location.host}/msc`);
document.body.textContent = await greeter.greet('world');
