import { packageBundle } from '../../config/rollup.shared.js';

// Two entries: the browser-safe core, and `./node` with the file functions (node:fs).
export default packageBundle({ input: { index: 'src/index.ts', node: 'src/node.ts' } });
