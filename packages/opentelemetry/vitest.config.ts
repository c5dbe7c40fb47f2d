import { defineProject } from 'vitest/config';
import { packageProject } from '../../config/vitest.shared.ts';

export default defineProject(packageProject(import.meta.url));
