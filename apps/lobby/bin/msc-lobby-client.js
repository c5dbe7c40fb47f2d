#!/usr/bin/env node
// `msc-lobby-client`: runs bin/lobby-client.ts (see there for the flags, or pass --help).
import { runTypeScript } from './run-typescript.js';

runTypeScript(new URL('./lobby-client.ts', import.meta.url));
