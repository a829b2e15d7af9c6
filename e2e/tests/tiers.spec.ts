import { expect, test } from '../fixtures';
import { DEFAULT_PROFILE } from '../pages/studio';

test.describe('deployment tier', () => {
  test('the cell tier overrides footprint scores; the Cell controller profile picks Calico', async ({ studio }) => {
    await studio.goto();
    await expect(studio.profile.locator('option:checked')).toHaveText(DEFAULT_PROFILE);
    await studio.expectTotals('4.20', '3.60');
    await expect(studio.tier).toHaveValue('');

    // Cell tier: footprint Cilium 4 -> 3, Calico 4 -> 5, at 10 % weight: 4.20 - 0.10, 3.60 + 0.10.
    await studio.selectTier('cell');
    await studio.expectTotalsChangedFrom({ cilium: '4.20', calico: '3.60' });
    await studio.expectTotals('4.10', '3.70');
    await expect(studio.winner).toContainText('Cilium');

    // Cell controller (footprint 30 %, simplicity 25 %) with the cell scores: Calico 4.10, Cilium 3.55.
    await studio.selectProfile('Cell controller');
    await expect(studio.winner).toContainText('Calico');
    await expect(studio.tier).toHaveValue('cell');
  });
});
