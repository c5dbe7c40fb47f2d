import { packageBundle } from '../../config/rollup.shared.js';

// Two entries: the library (index) and the `msc-trace` command (cli), which gets its shebang here.
const config = packageBundle({ input: { index: 'src/index.ts', cli: 'src/cli.ts' } });
config.output.banner = (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : '');

export default config;
