import { test as base, expect } from '@playwright/test';
import { StudioPage } from './pages/studio';

/**
 * Collects every uncaught page error and every `console.error` (which in Chromium includes
 * "Failed to load resource" for 4xx/5xx responses and a failed WASM instantiation). The test
 * fails in teardown if anything was collected that the test did not declare as expected.
 * This is what catches a release bundle that renders on the server but never hydrates, e.g.
 * "WebAssembly.Table.set(): Argument 1 is invalid for table".
 */
export interface PageProblems {
  /** Declares errors the test provokes on purpose, e.g. the 409 of an update conflict. */
  allow(pattern: RegExp): void;
  /** Everything collected so far, allowed or not. */
  readonly seen: readonly string[];
}

interface Fixtures {
  problems: PageProblems;
  studio: StudioPage;
}

export const test = base.extend<Fixtures>({
  problems: [
    async ({ page }, use, testInfo) => {
      const seen: string[] = [];
      const allowed: RegExp[] = [];

      page.on('pageerror', (error) => {
        seen.push(`pageerror: ${error.name}: ${error.message}`);
      });
      page.on('console', (msg) => {
        // A page whose bundle lacks one of its islands only warns; that is a broken page too.
        const missingIsland = msg.type() === 'warning' && msg.text().includes('Could not find WASM function');
        if (msg.type() !== 'error' && !missingIsland) return;
        const { url, lineNumber } = msg.location();
        seen.push(`console.error: ${msg.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
      });
      page.on('crash', () => {
        seen.push('crash: the page crashed');
      });

      await use({
        allow: (pattern) => {
          allowed.push(pattern);
        },
        get seen() {
          return seen;
        },
      });

      if (seen.length > 0) {
        await testInfo.attach('page-errors.txt', { body: seen.join('\n'), contentType: 'text/plain' });
      }
      const unexpected = seen.filter((line) => !allowed.some((re) => re.test(line)));
      expect(unexpected, 'page errors and console errors during the test').toEqual([]);
    },
    { auto: true },
  ],

  studio: async ({ page }, use) => {
    await use(new StudioPage(page));
  },
});

export { expect };
