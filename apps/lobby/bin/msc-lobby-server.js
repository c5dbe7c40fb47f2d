#!/usr/bin/env node
// `msc-lobby-server`: runs bin/lobby-server.ts (see there for the flags, or pass --help).
import { runTypeScript } from './run-typescript.js';

runTypeScript(new URL('./lobby-server.ts', import.meta.url));
