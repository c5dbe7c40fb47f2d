import { packageBundle } from '../../config/rollup.shared.js';

// Three entries: the contract, the kit transports are built from, and the compliance suite (which imports vitest, so it must stay out of the main one).
export default packageBundle({
  input: {
    index: 'src/index.ts',
    'kit/index': 'src/kit/index.ts',
    'compliance/index': 'src/compliance/index.ts',
  },
});
