import { test, expect } from '../fixtures';
import { ACCOUNTS } from '../global-setup';
import { SEED_WEIGHTS } from '../pages/studio';

test.describe('accounts', () => {
  test.describe('signed out', () => {
    test.use({ storageState: { cookies: [], origins: [] } });

    test('an architect signs in, saves weights and finds the change in the audit log', async ({ page, studio }) => {
      await page.goto('/');
      await expect(page).toHaveURL(/\/login\?next=%2F$/);
      // A wrong password first: a clear message, nothing about whether the email exists.
      await page.locator('#email').fill(ACCOUNTS.architect.email);
      await page.locator('#password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('login-error')).toContainText('email or password is wrong');
      await page.locator('#password').fill(ACCOUNTS.architect.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/$/);
      await studio.waitForHydration();
      await expect(page.getByTestId('whoami')).toContainText('architect');

      const name = `Zz e2e audited ${Date.now()}`;
      await studio.setSlider('bgp_underlay', 25);
      await studio.saveAsNewProfile(name);
      await expect(page.locator('.profile-meta')).toContainText(`by ${ACCOUNTS.architect.email}`);

      await page.goto('/audit?entity=profile');
      const row = page.getByTestId('audit-table').locator('tbody tr').first();
      await expect(row).toContainText(ACCOUNTS.architect.email);
      await expect(row).toContainText('create');
      await row.getByText('before / after').click();
      await expect(row).toContainText(name);
      await expect(row).toContainText('"bgp_underlay":25');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(page).toHaveURL(/\/login$/);
      await page.goto('/');
      await expect(page).toHaveURL(/\/login/);
    });
  });

  test.describe('as a viewer', () => {
    test.use({ storageState: '.auth/viewer.json' });

    test('a viewer finds no way to save, and a forced request is refused', async ({ page, studio, problems }) => {
      await studio.goto();
      await expect(page.getByTestId('whoami')).toContainText('viewer');
      await expect(page.getByTestId('read-only')).toBeVisible();
      await expect(page.getByRole('button', { name: 'Save as new profile' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Update profile' })).toHaveCount(0);
      await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
      // Exploring still works.
      await studio.setSlider('bgp_underlay', 40);
      await expect(studio.totalCilium).not.toHaveText('4.20');

      const origin = new URL(page.url()).origin;
      const before = await (await page.request.get('/api/v1/profiles')).json();
      const forced = await page.request.post('/api/v1/profiles', {
        headers: { Origin: origin },
        data: { name: `forced ${Date.now()}`, weights: SEED_WEIGHTS },
      });
      expect(forced.status()).toBe(403);
      expect((await forced.json()).error.code).toBe('forbidden');
      const after = await (await page.request.get('/api/v1/profiles')).json();
      expect(after.length).toBe(before.length);
      problems.allow(/403/);
    });
  });
});
