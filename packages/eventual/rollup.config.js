import { packageBundle } from '../../config/rollup.shared.js';

// Two entries: the user's API, and the handler seam that `@msc/session` plugs into.
export default packageBundle({ input: { index: 'src/index.ts', handler: 'src/handler.ts' } });
