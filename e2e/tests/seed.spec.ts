import { expect, test } from '../fixtures';
import { CRITERIA, DEFAULT_PROFILE, SEED_WEIGHTS } from '../pages/studio';

test.describe('seed result', () => {
  test('studio shows the seed ADR result after hydration', async ({ studio }) => {
    await studio.goto();

    // The seed ADR: Cilium 4.20, Calico 3.60, a clear win by 0.60.
    await studio.expectTotals('4.20', '3.60');
    await expect(studio.winner).toContainText('Cilium');
    await expect(studio.margin).toHaveText('0.60');
    await expect(studio.clearWinner).toHaveText('Clear winner');

    // The default profile with its weights, one labelled control set per criterion.
    await expect(studio.profile.locator('option:checked')).toHaveText(DEFAULT_PROFILE);
    expect(await studio.readWeightsRounded()).toEqual(SEED_WEIGHTS);
    for (const key of CRITERIA) {
      await expect(studio.range(key)).toHaveAttribute('type', 'range');
      await expect(studio.weightLabel(key)).toBeVisible();
      await expect(studio.lock(key)).not.toBeChecked();
    }
    await expect(studio.weightLabel('bgp_underlay')).toContainText('BGP and underlay integration');

    // Both charts are drawn and the score matrix carries the rationales.
    await expect(studio.contributionChart).toBeVisible();
    await expect(studio.tornadoChart).toBeVisible();
    await expect(studio.scoreMatrix).toContainText('Calico is BGP-native');
  });
});
