import { defineConfig } from '@playwright/test';

/**
 * Playwright setup for Switchyard's what-if studio.
 *
 * The server is NOT started here: the calling script starts the release build (with a fresh
 * database holding the seed reference data) and points BASE_URL at it.
 *
 *   npx playwright test --project=e2e     # the end-to-end specs in tests/
 *   npx playwright test --project=bench   # the slider benchmark in bench/
 *   npx playwright test                   # same as --project=e2e (the bench is opt-in)
 */

const baseURL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

/**
 * Playwright has no "default projects" setting: without --project it runs every project. The
 * bench project therefore only matches its files when it was asked for, either with
 * `--project=bench` / `--project bench` or with SWITCHYARD_BENCH=1. Worker processes load this
 * file again with their own argv, so the decision is handed to them through the environment
 * (they inherit the runner's process.env).
 */
function benchRequested(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = arg.startsWith('--project=') ? arg.slice('--project='.length) : arg === '--project' ? argv[i + 1] : undefined;
    if (value !== undefined && value.split(',').some((p) => p.trim() === 'bench')) return true;
  }
  return false;
}
if (benchRequested(process.argv)) process.env.SWITCHYARD_BENCH = '1';
const bench = process.env.SWITCHYARD_BENCH === '1';

export default defineConfig({
  testDir: '.',
  globalSetup: './global-setup.ts',
  outputDir: 'test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // Two cores, one server, one database: run everything in sequence.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    baseURL,
    // Signed in as an architect unless a spec says otherwise (global-setup.ts).
    storageState: '.auth/architect.json',
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      // Debian's Chromium; `npx playwright install` is not used (and cannot work offline).
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'e2e',
      testMatch: 'tests/**/*.spec.ts',
    },
    {
      name: 'bench',
      testMatch: bench ? 'bench/**/*.spec.ts' : [],
      // Tracing and screenshots would distort the timings.
      use: { trace: 'off', screenshot: 'off', video: 'off' },
    },
  ],
});
