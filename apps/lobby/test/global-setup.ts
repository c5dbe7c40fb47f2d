// Vitest global setup of @msc/lobby: the browser test needs Debian's Chromium (installed if missing).
import { ensureChromium } from '../../../config/chromium.ts';

export default function setup(): void {
  ensureChromium('lobby global setup');
}
