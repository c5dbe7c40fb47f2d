import { packageBundle } from '../../tools/config/rollup.shared.js';

export default packageBundle();
