// A hostile worker SIP in the default bytes mode (class 7): see hostile-worker.ts.
import { runHostileWorker } from './hostile-worker.ts';

runHostileWorker();
