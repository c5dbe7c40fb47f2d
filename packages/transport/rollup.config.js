import { packageBundle } from '../../config/rollup.shared.js';

// Two entries: the contract, and the compliance suite (which imports vitest, so it must stay out of the main one).
export default packageBundle({
  input: { index: 'src/index.ts', 'compliance/index': 'src/compliance/index.ts' },
});
