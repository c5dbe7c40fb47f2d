import { defineProject } from 'vitest/config';
import { packageProject } from '../../config/vitest.shared.ts';

// The global setup makes sure Debian's Chromium is there for the browser test (installing it when run as root).
export default defineProject(packageProject(import.meta.url, { globalSetup: ['test/global-setup.ts'] }));
