// A hostile worker SIP (class 7): it never speaks the SIP protocol, it posts garbage on its parent
// port (objects of the wrong shape, a byte string, a symbol-free but enormous nested array), then idles
// until its parent ends it.
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage({ kind: 'no such message', payload: [1, 2, 3] });
parentPort?.postMessage(new Uint8Array([0xff, 0x0f, 0x3f]));
parentPort?.postMessage('hello?');
let nested = [];
for (let depth = 0; depth < 1_000; depth++) nested = [nested];
parentPort?.postMessage(nested);
// Bounded: it ends by itself after 30 s whatever its parent does.
setTimeout(() => {}, 30_000);
