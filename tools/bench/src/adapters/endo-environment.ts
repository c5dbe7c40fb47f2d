/**
 * The minimal environment @endo/captp needs in a plain Node process: `ses` installs the globals the
 * Endo packages read at import time (`assert`, `harden`), and the eventual-send shim installs
 * `HandledPromise`, which `E()` and CapTP's pipelining are built on. `lockdown()` is deliberately not
 * called: CapTP works without it, and freezing the intrinsics would change the process for everything
 * else. Import this module before any `@endo/*` module.
 */
import 'ses';
import '@endo/eventual-send/shim.js';
