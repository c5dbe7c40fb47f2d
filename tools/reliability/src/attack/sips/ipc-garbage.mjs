// A hostile process SIP (class 7): it never speaks the SIP protocol, it writes 12 bytes of garbage
// straight to its IPC channel (fd 3, as `fork` sets it up), which the parent's advanced-serialization
// parser reads as a frame: a 4-byte length of 8, then bytes that are no V8 serialization. Then it idles
// until its parent ends it.
import { writeSync } from 'node:fs';

writeSync(3, Buffer.from([0, 0, 0, 8, 0xff, 0x0f, 0x3f, 0xff, 0xff, 0xff, 0xff, 0x0f]));
// Bounded: it exits by itself after 30 s whatever its parent does.
setTimeout(() => process.exit(0), 30_000);
