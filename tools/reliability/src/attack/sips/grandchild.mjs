// A hostile process SIP (class 7): it starts a grandchild (`sleep 60`), prints `grandchild <pid>` on its stdout (which
// a process SIP shares with its parent's), and idles until its parent ends it. The parent must end the
// grandchild with it.
import { spawn } from 'node:child_process';

const child = spawn('sleep', ['60'], { stdio: 'ignore' });
console.log(`grandchild ${child.pid}`);
// Bounded: it exits by itself after 30 s whatever its parent does.
setTimeout(() => process.exit(0), 30_000);
