import { packageBundle } from '../../config/rollup.shared.js';

// Two entries: Node (default, `ContractRegistry.register()` enabled) and browser (enabled by the page), chosen by
// the `browser` export condition (src/browser.ts).
export default packageBundle({ input: { index: 'src/index.ts', browser: 'src/browser.ts' } });
