// Shared by the vitest global setups of the packages with browser tests: they drive Debian's
// Chromium at /usr/bin/chromium. CI machines start with only Node and npm, so when Chromium is
// missing and we run as root, it is installed with apt (config/debian-package.ts: bounded in time,
// saying what it does). Otherwise this fails with a clear message: browser tests never skip silently.
import { ensureDebianPackage } from './debian-package.ts';

/** Where browser tests expect Chromium (Debian's `chromium` package). */
export const chromiumPath = '/usr/bin/chromium';

/** The flags every browser test launches Chromium with (this machine's network is closed). */
export const chromiumFlags: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Makes sure /usr/bin/chromium exists, installing Debian's package when it is missing.
 *
 * @param who - names the caller in what is printed
 * @throws Error when Chromium is missing and cannot be installed (not root, or apt failed)
 */
export function ensureChromium(who: string): void {
  ensureDebianPackage(who, {
    name: 'chromium',
    programPath: chromiumPath,
    programName: 'Chromium',
    neededBy: 'the browser tests',
    // With its recommended packages (fonts among them), as a person installing it would.
    installOptions: [],
  });
}
