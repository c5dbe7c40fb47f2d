import { packageBundle } from '../../config/rollup.shared.js';

// Two entries: Node (on `ws`) and browser (on the native WebSocket), chosen by the `browser` export condition.
export default packageBundle({ input: { index: 'src/index.ts', browser: 'src/browser.ts' } });
