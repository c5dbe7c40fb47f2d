// Layout checks for the browser tests: a screenshot per phase, and the boxes of the phase's key
// elements (Playwright's boundingBox()) checked against the viewport and each other.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** A key element of a phase: a selector that must match exactly one element. */
export interface KeyElement {
  readonly name: string;
  readonly selector: string;
}

interface Box {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** What one check found (the test asserts `problems` is empty, and keeps the rest for the report). */
export interface LayoutReport {
  readonly screenshot: string;
  readonly boxes: readonly Box[];
  readonly problems: readonly string[];
}

/**
 * Takes a full-page screenshot of `page` as `<directory>/<label>.png`, then checks every key element:
 * visible, of non-zero size, within the viewport's width and, once scrolled into view, its height,
 * and overlapping no other key element (boxes compared in page coordinates); and that the page does
 * not scroll sideways.
 */
export async function checkLayout(
  page: Page,
  directory: string,
  label: string,
  elements: readonly KeyElement[],
): Promise<LayoutReport> {
  await mkdir(directory, { recursive: true });
  const screenshot = join(directory, `${label}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  const problems: string[] = [];
  if ((await stat(screenshot)).size < 2_000) problems.push(`${label}: the screenshot is nearly empty`);
  const viewport = page.viewportSize();
  if (viewport === null) throw new Error('expected the page to have a fixed viewport');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) problems.push(`${label}: the page scrolls sideways by ${overflow} px`);

  const boxes: Box[] = [];
  for (const element of elements) {
    const locator = page.locator(element.selector);
    const count = await locator.count();
    if (count !== 1) {
      problems.push(`${label}: expected one ${element.name} (${element.selector}), found ${count}`);
      continue;
    }
    if (!(await locator.isVisible())) {
      problems.push(`${label}: ${element.name} is not visible`);
      continue;
    }
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    if (box === null || box.width < 1 || box.height < 1) {
      problems.push(`${label}: ${element.name} has no size (${JSON.stringify(box)})`);
      continue;
    }
    const [scrollX, scrollY] = await page.evaluate(() => [window.scrollX, window.scrollY]);
    // Across in page coordinates (a page must fit its width without scrolling sideways); down in
    // the viewport once scrolled into view (an element must fit the viewport's height).
    const left = box.x + scrollX!;
    const inside =
      left >= -0.5 &&
      left + box.width <= viewport.width + 0.5 &&
      box.y >= -0.5 &&
      box.y + box.height <= viewport.height + 0.5;
    if (!inside) {
      problems.push(
        `${label}: ${element.name} is not inside the ${viewport.width}×${viewport.height} viewport: ${describe({ ...box, x: left })}`,
      );
    }
    boxes.push({
      name: element.name,
      x: box.x + scrollX!,
      y: box.y + scrollY!,
      width: box.width,
      height: box.height,
    });
  }
  for (let first = 0; first < boxes.length; first++) {
    for (let second = first + 1; second < boxes.length; second++) {
      const a = boxes[first]!;
      const b = boxes[second]!;
      const overlapX = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const overlapY = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      // Half a pixel of rounding is not an overlap.
      if (overlapX > 0.5 && overlapY > 0.5) {
        problems.push(`${label}: ${a.name} ${describe(a)} overlaps ${b.name} ${describe(b)}`);
      }
    }
  }
  return { screenshot, boxes, problems };
}

function describe(box: { x: number; y: number; width: number; height: number }): string {
  return `[${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}×${Math.round(box.height)}]`;
}
