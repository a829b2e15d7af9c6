import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect, test } from '../fixtures';

/**
 * Slider latency: from dispatching an `input` event on the BGP range until the Cilium total's
 * text AND both charts' SVGs (contribution and break-even) have changed in the DOM (`domMs`), and until the
 * frame after that change has been produced (`frameMs`, requestAnimationFrame + one task, an
 * approximation of "painted"). Measured inside the page with performance.now().
 *
 * Not pass/fail: it only checks that every sample was collected. Run it with
 *   npx playwright test --project=bench
 */

const SAMPLES = 50;
const WARMUP = 3;
/** Alternated so every move changes the totals (the seed starts BGP at 10 %). */
const VALUES = [30, 60] as const;
const SAMPLE_TIMEOUT_MS = 5_000;
const RESULTS_DIR = path.resolve(__dirname, '..', 'bench-results');

interface Stats {
  min: number;
  median: number;
  p95: number;
  max: number;
  mean: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return {
    min: round3(sorted[0]),
    median: round3(median),
    p95: round3(at(0.95)),
    max: round3(sorted[n - 1]),
    mean: round3(values.reduce((s, v) => s + v, 0) / n),
  };
}

/**
 * Sets `input` (a range) to each of `values` in turn, SAMPLES times after WARMUP moves, and
 * times each move from the `input` event until every element of `watch` has changed in the DOM
 * (domMs) and until the frame after that has been produced (frameMs).
 */
async function measureMoves(
  page: Page,
  input: string,
  watch: string[],
  values: readonly number[],
): Promise<{ dom: number[]; frame: number[] }> {
  return page.evaluate(
    async ({ input, watch, samples, warmup, values, timeoutMs }) => {
      const RANGE = input;
      const snapshot = () => watch.map((sel) => document.querySelector(sel)?.outerHTML ?? '');
      const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      /** rAF, then one task: the frame that shows the change has been produced. */
      const afterFrame = () =>
        new Promise<void>((resolve) =>
          requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => resolve();
            channel.port2.postMessage(null);
          }),
        );

      const measure = (value: number) =>
        new Promise<{ dom: number; frame: number }>((resolve, reject) => {
          const range = document.querySelector<HTMLInputElement>(RANGE);
          if (!range) {
            reject(new Error(`${RANGE} not found`));
            return;
          }
          const before = snapshot();
          let start = 0;
          let settled = false;
          const changed = () => snapshot().every((now, i) => now !== before[i]);
          const finish = () => {
            settled = true;
            const dom = performance.now() - start;
            observer.disconnect();
            clearTimeout(timer);
            afterFrame().then(() => resolve({ dom, frame: performance.now() - start }));
          };
          const observer = new MutationObserver(() => {
            if (!settled && changed()) finish();
          });
          observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
          const timer = setTimeout(() => {
            if (settled) return;
            settled = true;
            observer.disconnect();
            const now = snapshot();
            const stuck = watch.filter((_, i) => now[i] === before[i]);
            reject(new Error(`no update within ${timeoutMs} ms after setting ${value}: unchanged ${stuck.join(', ')}`));
          }, timeoutMs);

          start = performance.now();
          range.value = String(value);
          range.dispatchEvent(new Event('input', { bubbles: true }));
          // The update may have happened synchronously inside dispatchEvent.
          if (!settled && changed()) finish();
        });

      const dom: number[] = [];
      const frame: number[] = [];
      for (let i = 0; i < warmup + samples; i++) {
        const sample = await measure(values[i % values.length]);
        if (i >= warmup) {
          dom.push(sample.dom);
          frame.push(sample.frame);
        }
        // Let trailing work settle before the next move.
        await nextFrame();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { dom, frame };
    },
    { input, watch, samples: SAMPLES, warmup: WARMUP, values, timeoutMs: SAMPLE_TIMEOUT_MS },
  );

}

test('slider: input event to updated totals and chart', async ({ page, studio }, testInfo) => {
  test.setTimeout(180_000);
  await studio.goto();
  await studio.expectTotals('4.20', '3.60');
  const raw = await measureMoves(
    page,
    '#w-bgp_underlay-range',
    ['[data-testid="total-cilium"]', '[data-testid="contribution-chart"] svg', '[data-testid="tornado-chart"] svg'],
    VALUES,
  );

  await report(
    page,
    testInfo,
    'slider',
    'input event on #w-bgp_underlay-range until total-cilium text and both chart SVGs (contribution, break-even) changed (domMs), ' +
      'and until the following frame was produced (frameMs)',
    VALUES,
    raw,
  );
});

test('robustness: band input to the acceptability chart redrawn (10,000 SMAA draws in WASM)', async ({ page, studio }, testInfo) => {
  test.setTimeout(180_000);
  await studio.goto();
  // Both bands leave the seed weights short of 100 %, so every move redraws the chart.
  const values = [10, 20] as const;
  const raw = await measureMoves(page, '#band', ['[data-testid="acceptability-chart"] svg'], values);
  await report(
    page,
    testInfo,
    'smaa',
    'input event on #band until the acceptability chart SVG changed: 10,000 SMAA draws × 2 candidates × 9 criteria ' +
      'computed in the browser and the chart redrawn (domMs), and until the following frame (frameMs)',
    values,
    raw,
  );
});

async function report(
  page: Page,
  testInfo: TestInfo,
  name: string,
  description: string,
  values: readonly number[],
  raw: { dom: number[]; frame: number[] },
): Promise<void> {
  expect(raw.dom).toHaveLength(SAMPLES);
  expect(raw.frame).toHaveLength(SAMPLES);

  const result = {
    benchmark: name,
    description,
    date: new Date().toISOString(),
    baseURL: testInfo.project.use.baseURL ?? null,
    browser: `${page.context().browser()?.browserType().name() ?? 'chromium'} ${page.context().browser()?.version() ?? ''}`.trim(),
    samples: SAMPLES,
    warmup: WARMUP,
    values,
    unit: 'ms',
    domMs: stats(raw.dom),
    frameMs: stats(raw.frame),
    raw: { domMs: raw.dom.map(round3), frameMs: raw.frame.map(round3) },
  };

  const line = (label: string, s: Stats) =>
    `${label.padEnd(8)} min ${s.min.toFixed(2)}  median ${s.median.toFixed(2)}  p95 ${s.p95.toFixed(2)}  max ${s.max.toFixed(2)}  (ms, n=${SAMPLES})`;
  console.log(`${name} benchmark (${result.browser})`);
  console.log(line('dom', result.domMs));
  console.log(line('frame', result.frameMs));

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${path.relative(process.cwd(), file) || file}`);
  await testInfo.attach(`${name}.json`, { body: JSON.stringify(result, null, 2), contentType: 'application/json' });
}
