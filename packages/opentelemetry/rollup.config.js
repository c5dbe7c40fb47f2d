import { packageBundle } from '../../config/rollup.shared.js';

export default packageBundle();
