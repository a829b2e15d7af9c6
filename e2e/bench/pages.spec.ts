import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from '../fixtures';

/**
 * First loads as a new visitor has them: for the studio, the fleet map and the cluster list,
 * ten loads each in a fresh browser context (nothing cached), reporting the median
 * largest-contentful-paint, the DOM size (elements and text nodes) and the WASM + JS bytes on
 * the wire. `scripts/bench` runs it after loading 10,000 synthetic clusters, so the fleet pages
 * are measured at that size. Not pass/fail: it records figures for docs/benchmarks.md.
 */

const LOADS = 10;
const PAGES = ['/', '/fleet', '/clusters'] as const;
const RESULTS_DIR = path.resolve(__dirname, '..', 'bench-results');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

test('first load of the studio, the fleet map and the cluster list', async ({ browser }) => {
  test.setTimeout(300_000);
  const results: Record<string, { lcpMedianMs: number; lcpMaxMs: number; domNodes: number; wireKiB: number }> = {};
  for (const p of PAGES) {
    const lcps: number[] = [];
    let domNodes = 0;
    let wire = 0;
    for (let i = 0; i < LOADS; i++) {
      const context = await browser.newContext({ storageState: '.auth/architect.json' });
      const page = await context.newPage();
      const sizes: Promise<number>[] = [];
      page.on('requestfinished', (req) => {
        if (/\/pkg\/.*\.(js|wasm)$/.test(req.url())) sizes.push(req.sizes().then((s) => s.responseBodySize));
      });
      await page.goto(p);
      await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1, { timeout: 30_000 });
      const lcp = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            new PerformanceObserver((list) => {
              const entries = list.getEntries();
              resolve(entries[entries.length - 1].startTime);
            }).observe({ type: 'largest-contentful-paint', buffered: true });
          }),
      );
      lcps.push(lcp);
      domNodes = await page.evaluate(() => {
        const walker = document.createTreeWalker(document, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
        let n = 0;
        while (walker.nextNode()) n++;
        return n;
      });
      await page.waitForLoadState('networkidle');
      wire = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
      await context.close();
    }
    results[p] = {
      lcpMedianMs: Math.round(median(lcps)),
      lcpMaxMs: Math.round(Math.max(...lcps)),
      domNodes,
      wireKiB: Math.round((wire / 1024) * 10) / 10,
    };
    console.log(
      `${p}: LCP median ${results[p].lcpMedianMs} ms (max ${results[p].lcpMaxMs}) over ${LOADS} loads, ` +
        `${domNodes} DOM nodes, ${results[p].wireKiB} KiB of WASM + JS on the wire`,
    );
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'pages.json'), JSON.stringify(results, null, 2));
});
