import { packageBundle } from '../../config/rollup.shared.js';

// Three entries: the user's API, the call context (`withOptions`, `callContext`), and the handler
// seam that `@msc/session` plugs into.
export default packageBundle({
  input: { index: 'src/index.ts', context: 'src/context.ts', handler: 'src/handler.ts' },
});
