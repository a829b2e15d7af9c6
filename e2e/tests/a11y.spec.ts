import AxeBuilder from '@axe-core/playwright';
import { test, expect } from '../fixtures';

/**
 * axe-core in Chromium on every page, after hydration: no WCAG 2.x A/AA violation of any impact.
 * The fleet map once failed `label-content-name-mismatch` on every cluster mark (an aria-label
 * that did not contain the visible text); this keeps all pages clean.
 */
const PAGES = ['/', '/fleet', '/clusters', '/clusters/1', '/adrs', '/adrs/1', '/adrs/1/review', '/reviews', '/versions', '/audit', '/tokens', '/admin/users'];

async function violations(page: import('@playwright/test').Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} node(s), e.g. ${v.nodes[0]?.target.join(' ')}`,
  );
}

test.describe('accessibility (axe-core)', () => {
  test.use({ storageState: '.auth/admin.json' });

  for (const path of PAGES) {
    test(`${path} has no axe violations`, async ({ page, studio }) => {
      await page.goto(path);
      await studio.waitForHydration();
      expect(await violations(page)).toEqual([]);
    });
  }
});

test.describe('accessibility of the sign-in page', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('/login has no axe violations', async ({ page, studio }) => {
    await page.goto('/login');
    await studio.waitForHydration();
    expect(await violations(page)).toEqual([]);
  });
});
