import { test, expect } from '../fixtures';
import type { Page } from '@playwright/test';

/**
 * What a page downloads before it answers: the JS and WASM bytes as they crossed the wire
 * (compressed), measured from the page's own network requests. Sizes, not times, so they are
 * stable on a noisy machine.
 */
async function scriptBytes(page: Page, path: string): Promise<{ bytes: number; files: string[] }> {
  const seen: Promise<{ url: string; size: number }>[] = [];
  page.on('requestfinished', (req) => {
    const url = req.url();
    if (/\/pkg\/.*\.(js|wasm)$/.test(url)) seen.push(req.sizes().then((s) => ({ url, size: s.responseBodySize })));
  });
  // A fresh context per page: nothing comes from the cache.
  await page.goto(path);
  await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1, { timeout: 15_000 });
  await page.waitForLoadState('networkidle');
  const done = await Promise.all(seen);
  return { bytes: done.reduce((a, s) => a + s.size, 0), files: done.map((s) => s.url.replace(/.*\/pkg\//, '')) };
}

const KiB = 1024;

test('the studio downloads at most 180 KiB of WASM and JS, compressed, and stays interactive', async ({ page, studio }) => {
  const { bytes, files } = await scriptBytes(page, '/');
  console.log(`studio: ${(bytes / KiB).toFixed(1)} KiB on the wire (${files.join(', ')})`);
  expect(files.some((f) => f.endsWith('.wasm'))).toBe(true);
  expect(bytes).toBeLessThanOrEqual(180 * KiB);
  // Still the whole studio: a slider moves the totals.
  await studio.waitForHydration();
  const before = await page.getByTestId('total-cilium').innerText();
  await page.locator('#w-observability').fill('40');
  await page.locator('#w-observability').press('Tab');
  await expect(page.getByTestId('total-cilium')).not.toHaveText(before);
});

for (const path of ['/fleet', '/clusters', '/audit', '/tokens']) {
  test(`${path} downloads at most 250 KiB of WASM and JS`, async ({ page }) => {
    const { bytes, files } = await scriptBytes(page, path);
    console.log(`${path}: ${(bytes / KiB).toFixed(1)} KiB on the wire (${files.join(', ') || 'no WASM'})`);
    expect(bytes).toBeLessThanOrEqual(250 * KiB);
  });
}

test('read-only pages ship no WASM at all', async ({ page }) => {
  for (const path of ['/fleet', '/clusters', '/audit']) {
    const { files } = await scriptBytes(page, path);
    expect(files, path).toEqual([]);
  }
});

test('hashed assets are cached for good', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="modulepreload"]').getAttribute('href');
  expect(href).toMatch(/^\/pkg\/studio\.[0-9a-f]{16}\.js$/);
  const r = await request.get(href!);
  expect(r.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  const css = await page.locator('link#leptos').getAttribute('href');
  expect(css).toMatch(/^\/pkg\/switchyard\.[0-9a-f]{16}\.css$/);
});
