// Vitest global setup of @msc/transport-ws: the browser test needs Debian's Chromium (installed if missing).
import { ensureChromium } from '../../../config/chromium.ts';

export default function setup(): void {
  ensureChromium('transport-ws global setup');
}
