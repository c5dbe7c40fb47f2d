// Vitest global setup of @msc/lobby: the browser test needs Debian's Chromium, the cluster tests
// Debian's redis-server (each installed if missing, as root; a clear failure otherwise).
import { ensureChromium } from '../../../config/chromium.ts';
import { ensureRedisServer } from '../../../config/redis.ts';

export default function setup(): void {
  ensureChromium('lobby global setup');
  ensureRedisServer('lobby global setup');
}
