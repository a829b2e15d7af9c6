import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures';
import { SEED_WEIGHTS, uniqueProfileName } from '../pages/studio';

/** Weights that favour Calico strongly (BGP, footprint, simplicity), percent. */
const NETWORK_TEAM: Record<string, number> = {
  identity_policy: 5,
  l7_policy: 0,
  observability: 5,
  multi_cluster: 0,
  encryption: 5,
  performance_footprint: 25,
  bgp_underlay: 35,
  operational_simplicity: 25,
  governance: 0,
};

/** A fresh profile with the seed's weights (so this spec owns its stakeholders); its id. */
async function newProfile(page: Page, label: string): Promise<number> {
  const res = await page.request.post('/api/v1/profiles', {
    headers: { Origin: new URL(page.url() === 'about:blank' ? 'http://x' : page.url()).origin },
    data: { name: uniqueProfileName(label), weights: SEED_WEIGHTS },
  });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

/** Fills the stakeholder form and submits it (a plain form: the page reloads on the section). */
async function addStakeholder(page: Page, name: string, role: string, weights: Record<string, number>): Promise<void> {
  const form = page.getByTestId('stakeholder-form');
  await form.locator('#sh-name').fill(name);
  await form.locator('#sh-role').selectOption(role);
  for (const [key, value] of Object.entries(weights)) {
    await form.getByTestId(`sh-weight-${key}`).fill(String(value));
  }
  await form.getByRole('button', { name: 'Add these weights' }).click();
  await expect(page.getByTestId('stakeholder-notice')).toHaveText('Stakeholder weights added.');
}

test.describe('stakeholders', () => {
  test('an architect gathers stakeholders, sees whose weights flip the decision and samples within their ranges', async ({
    page,
    studio,
  }) => {
    await page.goto('/');
    const id = await newProfile(page, 'stakeholders');
    await page.goto(`/?profile=${id}`);
    await studio.waitForHydration();
    await expect(page.getByTestId('stakeholder-summary')).toContainText('No stakeholder has given weights');
    // The robustness panel offers the stakeholders' ranges only once two or more gave weights.
    await expect(page.getByTestId('within-stakeholders')).toHaveCount(0);

    await addStakeholder(page, 'Plant network team', 'consulted', NETWORK_TEAM);
    await addStakeholder(page, 'OT security', 'decision-maker', SEED_WEIGHTS);
    await studio.waitForHydration();

    // Each one's winner, and who would flip the decision (in words, not colour alone).
    const table = page.getByTestId('stakeholder-table');
    const network = table.locator('tr', { hasText: 'Plant network team' });
    await expect(network.getByTestId('stakeholder-winner')).toContainText('Calico');
    await expect(network.getByTestId('stakeholder-flips')).toContainText('yes');
    const security = table.locator('tr', { hasText: 'OT security' });
    await expect(security.getByTestId('stakeholder-winner')).toContainText('Cilium');
    await expect(security.getByTestId('stakeholder-flips')).toHaveText('no');
    await expect(page.getByTestId('stakeholder-summary')).toContainText(
      '1 of 2 would flip the decision: their own weights pick another winner (Plant network team)',
    );
    // The spread: a range chart, and the same numbers as a table (BGP from 10 % to 35 %).
    await expect(page.getByTestId('spread-chart').locator('svg')).toBeVisible();
    await expect(page.getByTestId('spread-chart')).toContainText('10.0–35.0 %');

    // SMAA within their ranges: the disagreement shows in the acceptability.
    const chart = page.getByTestId('acceptability-chart');
    const before = await chart.getAttribute('data-draws');
    await page.getByTestId('within-stakeholders').check();
    await expect(page.locator('#band')).toBeDisabled();
    await expect(chart).not.toHaveAttribute('data-draws', before ?? '');
    const calico = Number(/calico:(\d+)/.exec((await chart.getAttribute('data-draws')) ?? '')?.[1]);
    expect(calico, 'Calico ranks first in some draws within the stakeholders’ ranges').toBeGreaterThan(0);

    // The median instead of the mean, then loaded into the editor.
    await page.locator('#aggregate').selectOption('median');
    await page.getByTestId('aggregate-form').getByRole('button', { name: 'Use it' }).click();
    await expect(page.getByTestId('stakeholder-notice')).toHaveText('Aggregate changed.');
    await page.getByTestId('load-aggregate').click();
    await studio.waitForHydration();
    // Median of two = their midpoint: BGP (10 + 35) / 2 = 22.5 before rescaling to 100 %.
    await expect(studio.weightInput('bgp_underlay')).toHaveValue(/^2[0-9](\.\d)?$/);
    await expect.poll(() => studio.weightSum()).toBeCloseTo(100, 1);
  });

  test('weights that do not add up come back with what was typed and the reason', async ({ page, studio }) => {
    await page.goto('/');
    const id = await newProfile(page, 'stakeholder-refused');
    await page.goto(`/?profile=${id}`);
    await studio.waitForHydration();
    const form = page.getByTestId('stakeholder-form');
    await form.locator('#sh-name').fill('Maintenance');
    await form.getByTestId('sh-weight-bgp_underlay').fill('55');
    await form.getByLabel('Scale them to add up to 100 % for me').uncheck();
    await form.getByRole('button', { name: 'Add these weights' }).click();
    await expect(page.getByTestId('stakeholder-error')).toContainText(/100/);
    await expect(page.getByTestId('stakeholder-form').locator('#sh-name')).toHaveValue('Maintenance');
    await expect(page.getByTestId('sh-weight-bgp_underlay')).toHaveValue('55');
    await expect(page.getByTestId('stakeholder-summary')).toContainText('No stakeholder has given weights');
  });

  test.describe('as a manager (viewer)', () => {
    test.use({ storageState: '.auth/viewer.json' });

    test('a manager gives their own weights, and may change only those', async ({ page, studio }) => {
      // The profile is the architect's; the manager weighs it.
      await page.goto('/');
      const profiles = (await (await page.request.get('/api/v1/profiles')).json()) as { id: number; name: string }[];
      const profile = profiles.find((p) => p.name === 'Plant brownfield');
      expect(profile, 'the demo profile').toBeTruthy();
      await page.goto(`/?profile=${profile!.id}`);
      await studio.waitForHydration();
      // The demo's stakeholders are there, without controls for the manager.
      const table = page.getByTestId('stakeholder-table');
      await expect(table.locator('tr', { hasText: 'OT security' })).toBeVisible();
      await expect(table.getByRole('button', { name: /Remove OT security/ })).toHaveCount(0);
      const form = page.getByTestId('stakeholder-form');
      await expect(form.getByRole('heading')).toHaveText('Give your own weights');
      await form.getByTestId('sh-weight-bgp_underlay').fill('40');
      await form.getByRole('button', { name: 'Add these weights' }).click();
      await expect(page.getByTestId('stakeholder-notice')).toHaveText('Stakeholder weights added.');
      const mine = table.locator('tr', { hasText: 'viewer' });
      await expect(mine).toBeVisible();
      // Their own row has controls; removing it restores the board.
      await mine.getByRole('button', { name: /^Remove/ }).click();
      await expect(page.getByTestId('stakeholder-notice')).toHaveText('Stakeholder weights removed.');
    });
  });
});
