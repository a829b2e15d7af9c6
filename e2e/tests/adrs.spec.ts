import { test, expect } from '../fixtures';

/** Today and a year from now as the server computes them (UTC, YYYY-MM-DD). */
function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

test.describe('decision records', () => {
  test('an architect records a decision from the studio, accepts it and downloads its Markdown', async ({ page, studio }) => {
    await studio.goto();
    await page.locator('#tier').selectOption('plant');
    await page.locator('details.record-decision summary').click();
    const title = `Calico for brownfield plants ${Date.now()}`;
    await page.locator('#adr-title').fill(title);
    await page.locator('#adr-chosen').selectOption('calico');
    // Not the weighted winner with these weights: refused until it says why.
    await page.getByRole('button', { name: 'Record as proposed ADR' }).click();
    await expect(page.getByTestId('form-error')).toContainText('justification');
    await studio.waitForHydration();
    await page.locator('#tier').selectOption('plant');
    await page.locator('details.record-decision summary').click();
    await page.locator('#adr-title').fill(title);
    await page.locator('#adr-chosen').selectOption('calico');
    await page.locator('#adr-justification').fill('The plant fabric is BGP and owned by the network team.');
    await page.getByRole('button', { name: 'Record as proposed ADR' }).click();

    await expect(page).toHaveURL(/\/adrs\/\d+$/);
    await expect(page.getByTestId('adr-title')).toContainText(title);
    await expect(page.getByTestId('adr-status')).toHaveText('proposed');
    await expect(page.getByTestId('adr-chosen')).toHaveText('Calico');
    await expect(page.getByTestId('frozen-chart').locator('svg')).toBeVisible();

    await page.getByTestId('adr-accepted').click();
    await expect(page.getByTestId('adr-status')).toHaveText('accepted');
    const nextYear = new Date();
    nextYear.setUTCFullYear(nextYear.getUTCFullYear() + 1);
    await expect(page.getByTestId('adr-review-by')).toHaveText(isoDate(nextYear));

    const download = page.waitForEvent('download');
    await page.getByTestId('adr-download').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^\d{4}-calico-for-brownfield-plants-\d+\.md$/);
    const text = await (await page.request.get(await page.getByTestId('adr-download').getAttribute('href') ?? '')).text();
    expect(text).toMatch(/^---\nnumber: \d+\ntitle: /);
    expect(text).toContain('status: accepted');
    expect(text).toContain('Chosen option: "Calico"');
  });

  test('a title the export cannot carry is refused with the reason, and nothing is recorded', async ({ page, studio }) => {
    await studio.goto();
    await page.locator('details.record-decision summary').click();
    await page.locator('#adr-title').fill('Ends with a colon:');
    await page.getByRole('button', { name: 'Record as proposed ADR' }).click();
    await expect(page).toHaveURL(/\/\?error=/);
    await expect(page.getByTestId('form-error')).toContainText('title');
  });

  test('an architect records a decision for the brownfield plants selected on the fleet map', async ({ page }) => {
    await page.goto('/fleet?tier=plant&context=brownfield');
    await page.getByTestId('fleet-record').locator('summary').click();
    await expect(page.getByTestId('fleet-record').locator('summary')).toHaveText('Record decision for every plant cluster in brownfield context');
    const title = `Calico for brownfield plants, from the map ${Date.now()}`;
    await page.locator('#adr-title').fill(title);
    // The winner under the profile the fleet applies to brownfield plants is preselected.
    const chosen = (await page.locator('#adr-chosen option:checked').textContent())?.trim() ?? '';
    expect(chosen).toBe('Calico');
    await page.getByRole('button', { name: 'Record as proposed ADR' }).click();
    await expect(page).toHaveURL(/\/adrs\/\d+$/);
    await expect(page.getByTestId('adr-title')).toContainText(title);
    await expect(page.getByTestId('adr-chosen')).toHaveText(chosen);
    await expect(page.getByTestId('adr-scope')).toContainText('plant');
    await expect(page.getByTestId('adr-scope')).toContainText('brownfield');
    await expect(page.getByTestId('adr-markdown')).toContainText('Fleet in scope');
  });

  test('an architect records a decision for one cluster from its page; a bad title keeps the page and says why', async ({ page }) => {
    await page.goto('/clusters?tier=cell');
    await page.getByTestId('cluster-table').locator('tbody tr a').first().click();
    await expect(page).toHaveURL(/\/clusters\/\d+$/);
    const clusterUrl = page.url();
    const name = (await page.locator('h1').first().textContent())?.trim() ?? '';
    await page.getByTestId('cluster-record').locator('summary').click();
    await page.locator('#adr-title').fill('Colon at the end:');
    await page.getByRole('button', { name: 'Record as proposed ADR' }).click();
    await expect(page).toHaveURL(new RegExp(`^${clusterUrl.replace(/[.?]/g, '\\$&')}\\?error=`));
    await expect(page.getByTestId('form-error')).toContainText('title');

    await page.getByTestId('cluster-record').locator('summary').click();
    const title = `Decision for ${name} ${Date.now()}`;
    await page.locator('#adr-title').fill(title);
    await page.getByRole('button', { name: 'Record as proposed ADR' }).click();
    await expect(page).toHaveURL(/\/adrs\/\d+$/);
    await expect(page.getByTestId('adr-scope')).toContainText(name);
  });

  test('the fleet map counts reviews and marks clusters in scope of an overdue ADR', async ({ page }) => {
    await page.goto('/fleet');
    await expect(page.getByTestId('fleet-reviews')).toContainText(/ADR reviews: \d+ overdue/);
    await page.goto('/fleet?status=review_overdue');
    const marks = page.getByTestId('cluster-mark');
    await expect(marks.first()).toBeVisible();
    await expect(marks.first()).toContainText('⏰');
    await expect(marks.first().locator('a')).toHaveAttribute('title', /review overdue: ADR-\d{4}/);
  });

  test('the seed decision is ADR-0001 with the seed totals', async ({ page }) => {
    await page.goto('/adrs/1');
    await expect(page.getByTestId('adr-title')).toContainText('ADR-0001: Cilium by default, Calico for brownfield plants and cells');
    await expect(page.getByTestId('adr-status')).toHaveText('accepted');
    await expect(page.getByTestId('adr-markdown')).toContainText('4.20');
    await expect(page.getByTestId('adr-markdown')).toContainText('3.60');
  });

  test('the overdue demo ADR is reviewed: what changed, reaffirmed, next review a year on', async ({ page }) => {
    await page.goto('/reviews');
    const overdue = page.getByTestId('reviews-overdue').locator('tbody tr');
    await expect(overdue.first()).toBeVisible();
    await overdue.first().locator('a').first().click();
    await expect(page).toHaveURL(/\/adrs\/\d+$/);
    await expect(page.getByTestId('review-state')).toContainText('overdue');
    await page.getByTestId('adr-review').click();
    await expect(page).toHaveURL(/\/adrs\/\d+\/review$/);
    await expect(page.getByTestId('review-totals')).toBeVisible();
    await expect(page.getByTestId('review-changes').or(page.getByTestId('review-unchanged'))).toBeVisible();

    // Reaffirming without a note is refused, with the reason.
    await page.getByRole('button', { name: 'Record review' }).click();
    await expect(page.getByTestId('form-error')).toContainText('note');

    await page.locator('#review-note').fill('Still right: the plant fabric is owned by the network team.');
    await page.getByRole('button', { name: 'Record review' }).click();
    await expect(page.getByTestId('reviewed')).toBeVisible();
    const nextYear = new Date();
    nextYear.setUTCFullYear(nextYear.getUTCFullYear() + 1);
    await expect(page.getByTestId('adr-review-by')).toHaveText(isoDate(nextYear));
    await expect(page.getByTestId('review-state')).toContainText('later');
  });

  test.describe('as a manager (viewer)', () => {
    test.use({ storageState: '.auth/viewer.json' });

    test('sees the register and the reviews but no actions', async ({ page }) => {
      await page.goto('/adrs');
      await expect(page.getByTestId('adr-table').locator('tbody tr')).not.toHaveCount(0);
      await expect(page.getByTestId('adr-count')).toHaveText(/^ADRs 1–\d+ of \d+$/);
      await page.goto('/adrs/1');
      await expect(page.getByTestId('adr-review')).toHaveCount(0);
      await expect(page.getByTestId('adr-deprecated')).toHaveCount(0);
      await page.goto('/reviews');
      await expect(page.getByRole('heading', { name: 'Overdue' })).toBeVisible();
    });
  });
});
