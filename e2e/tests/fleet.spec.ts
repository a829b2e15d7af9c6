import { test, expect } from '../fixtures';

test.describe('fleet map', () => {
  test.describe('as a manager (viewer)', () => {
    test.use({ storageState: '.auth/viewer.json' });

    test('filters to brownfield plants, drills into a cluster and sees why Calico is recommended', async ({ page, studio }) => {
      await page.goto('/fleet');
      await studio.waitForHydration();
      await expect(page.getByTestId('tier-cni-chart').locator('svg')).toBeVisible();
      const all = await page.getByTestId('cluster-mark').count();
      expect(all).toBeGreaterThan(30);

      await page.locator('#f-tier').selectOption('plant');
      await page.locator('#f-context').selectOption('brownfield');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect(page).toHaveURL(/tier=plant/);
      const marks = page.getByTestId('cluster-mark');
      await expect(marks).toHaveCount(3);
      // Readable without colour: the CNI is written on every mark.
      for (const text of await marks.allInnerTexts()) expect(text.toLowerCase()).toContain('calico');

      await marks.first().locator('a').click();
      await expect(page).toHaveURL(/\/clusters\/\d+$/);
      await expect(page.getByTestId('recommended')).toHaveText('Calico');
      await expect(page.getByTestId('recommendation')).toContainText('Plant brownfield');
      await expect(page.getByTestId('facts')).toContainText('network_team');
      // A manager cannot edit.
      await expect(page.getByTestId('cluster-form')).toHaveCount(0);
    });
  });

  test('an architect sets a cell cluster kernel to 5.4 and sees the kernel gate', async ({ page, studio }) => {
    await page.goto('/clusters?tier=cell');
    await page.getByTestId('cluster-table').locator('tbody tr a').first().click();
    await expect(page).toHaveURL(/\/clusters\/\d+$/);
    await studio.waitForHydration();
    const kernel = page.locator('#e-kernel');
    await kernel.fill('5.4.0-186-generic');
    // Both current releases need 5.10; deciding nothing keeps this an honest "no candidate" case.
    await page.locator('#e-decided').selectOption('calico');
    await page.locator('#e-rationale').fill('Plant OS vendor ships 5.4 until the 2027 refresh; pinned to an older Calico.');
    await page.getByRole('button', { name: 'Save cluster' }).click();
    await expect(page.getByTestId('cluster-status')).toHaveText('Saved.');
    await expect(page.getByTestId('facts')).toContainText('5.4.0-186-generic');
    const gates = page.getByTestId('gates');
    await expect(gates.locator('[data-code="kernel_below_release_minimum"]').first()).toBeVisible();
    await expect(gates).toContainText('5.4');
  });
});
