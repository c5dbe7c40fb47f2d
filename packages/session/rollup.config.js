import { packageBundle } from '../../config/rollup.shared.js';

// Two entries: Node (default, streams enabled) and browser (streams enabled by the page), chosen by
// the `browser` export condition (src/browser.ts).
export default packageBundle({ input: { index: 'src/index.ts', browser: 'src/browser.ts' } });
