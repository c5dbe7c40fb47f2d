import { defineProject } from 'vitest/config';
import { packageProject } from '../../config/vitest.shared.ts';

// The global setup makes sure Chromium is there for the browser test (installing it as root if needed).
export default defineProject(packageProject(import.meta.url, { globalSetup: ['test/global-setup.ts'] }));
