// A hostile worker SIP in values mode (class 7): see hostile-worker.ts.
import { enableMessagePortValues } from '@msc/session';
import { runHostileWorker } from './hostile-worker.ts';

enableMessagePortValues();
runHostileWorker();
