import { test, expect } from '../fixtures';

test.describe('versions', () => {
  test.describe('as a manager (viewer)', () => {
    test.use({ storageState: '.auth/viewer.json' });

    test('filters end-of-life clusters, opens a cell and sees its upgrade path', async ({ page, studio }) => {
      await page.goto('/versions');
      await studio.waitForHydration();
      await expect(page.getByTestId('lifecycle-chart').locator('svg')).toBeVisible();
      // Readable without colour: every segment names its status.
      await expect(page.getByTestId('lifecycle-chart')).toContainText('eol');
      await page.locator('#v-status').selectOption('eol');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect(page).toHaveURL(/status=eol/);
      const rows = page.getByTestId('version-table').locator('tbody tr');
      expect(await rows.count()).toBeGreaterThan(5);
      for (const text of await rows.allInnerTexts()) expect(text).toContain('end of life');
      await expect(page.getByTestId('version-count')).toContainText('matching');

      // Cells of the Leipzig plant still run end-of-life Calico 3.26.
      await page.getByTestId('version-table').locator('tr[data-cluster^="cell-leipzig"] a').first().click();
      await expect(page).toHaveURL(/\/clusters\/\d+$/);
      const panel = page.getByTestId('version-panel');
      await expect(panel.getByTestId('lifecycle-status')).toContainText('end of life');
      await expect(panel.getByTestId('lifecycle-findings').locator('[data-code="eol"]')).toBeVisible();
      const steps = panel.getByTestId('upgrade-path').locator('li');
      expect(await steps.count()).toBeGreaterThan(0);
      await expect(steps.last()).toContainText('3.32.1');
    });

    test('sees the fleet plan with the pilots first', async ({ page, studio }) => {
      await page.goto('/versions?plan_cni=cilium&target=1.20');
      await studio.waitForHydration();
      const waves = page.getByTestId('plan-waves').locator(':scope > li');
      await expect(waves.first()).toContainText('Wave 0 · pilot');
      await expect(waves.first()).toContainText('plant-gyor');
    });
  });

  test('an architect pins a plant and sees drift after an observation is reported', async ({ page, studio, baseURL, problems }) => {
    // The unknown version below is refused on purpose.
    problems.allow(/status of 422 .*save_cluster/);
    await page.goto('/versions?site=Leipzig&tier=plant');
    await page.getByTestId('version-table').locator('tr[data-cluster="plant-leipzig"] a').click();
    await expect(page).toHaveURL(/\/clusters\/\d+$/);
    await studio.waitForHydration();
    const url = page.url();

    // A version the catalog does not know is refused with the nearest ones named.
    await page.locator('#e-pin').fill('3.32.9');
    await page.getByRole('button', { name: 'Save cluster' }).click();
    await expect(page.getByTestId('cluster-form')).toContainText('3.32.1');

    await page.locator('#e-pin').fill('3.32.1');
    await page.getByRole('button', { name: 'Save cluster' }).click();
    await expect(page.getByTestId('cluster-status')).toHaveText('Saved.');
    await expect(page.getByTestId('facts')).toContainText('3.32.1');

    // The pipeline reports the upgrade: no drift.
    const report = async (version: string) => {
      const r = await page.request.post('/api/v1/observations', {
        headers: { Origin: baseURL ?? '' },
        data: [{ cluster: 'plant-leipzig', cni: 'calico', version, kernel: '5.15.0-113-generic' }],
      });
      expect(r.status()).toBe(200);
    };
    await report('3.32.1');
    await page.goto(url);
    const panel = page.getByTestId('version-panel');
    await expect(panel).toContainText('Last seen running calico 3.32.1');
    await expect(panel.getByTestId('lifecycle-findings').locator('[data-code="drift"]')).toHaveCount(0);

    // Someone rolls back by hand: the next report shows the drift, here and on the fleet map.
    await report('3.31.7');
    await page.goto(url);
    const drift = panel.getByTestId('lifecycle-findings').locator('[data-code="drift"]');
    await expect(drift).toContainText('3.31.7');
    await expect(drift).toContainText('3.32.1 is pinned');
    await page.goto('/fleet?site=Leipzig&status=drift');
    await expect(page.getByTestId('cluster-mark').filter({ hasText: 'plant-leipzig' })).toContainText('⇄');
  });

  test('an architect pins a release on a selection at once', async ({ page }) => {
    await page.goto('/versions?site=Brno&tier=cell');
    const rows = page.getByTestId('version-table').locator('tbody tr');
    await expect(rows.first()).toContainText('unpinned');
    await page.getByTestId('pin-form').locator('summary').click();
    await page.locator('#pin-cni').selectOption('calico');
    await page.locator('#pin-tier').selectOption('cell');
    await page.locator('#pin-site').fill('Brno');
    await page.locator('#pin-version').fill('3.31.7');
    await page.getByRole('button', { name: 'Pin', exact: true }).click();
    await expect(page.getByTestId('pin-done')).toContainText('Pinned 3.31.7 to 5 of the 5 selected clusters');
    await page.goto('/versions?site=Brno&tier=cell');
    for (const text of await rows.allInnerTexts()) expect(text).toContain('3.31.7');
  });
});
