#!/usr/bin/env node
// `msc-lobby-cluster-node`: runs bin/lobby-cluster-node.ts (see there for the flags, or pass --help).
import { runTypeScript } from './run-typescript.js';

runTypeScript(new URL('./lobby-cluster-node.ts', import.meta.url));
