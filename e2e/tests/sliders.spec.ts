import { expect, test } from '../fixtures';
import { CRITERIA } from '../pages/studio';

test.describe('sliders', () => {
  test('moving the BGP slider updates totals and chart without a page load', async ({ page, studio }) => {
    await studio.goto();
    await studio.expectTotals('4.20', '3.60');

    const navigationsBefore = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    await page.evaluate(() => {
      (window as unknown as { __marker?: number }).__marker = 1;
    });
    const chartBefore = await studio.contributionSvg();

    await studio.setSlider('bgp_underlay', 40);

    await studio.expectTotalsChangedFrom({ cilium: '4.20', calico: '3.60' });
    await expect.poll(() => studio.contributionSvg(), { message: 'contribution chart redrawn' }).not.toBe(chartBefore);
    await expect(studio.weightInput('bgp_underlay')).toHaveValue(/^40(\.0)?$/);

    // The other eight were rebalanced so that all nine still sum to 100 %.
    await expect.poll(() => studio.weightSum(), { message: 'the nine weights sum to 100 %' }).toBeCloseTo(100, 1);
    const weights = await studio.readWeights();
    for (const key of CRITERIA) expect(weights[key], `weight of ${key}`).not.toBeNaN();
    expect(weights.bgp_underlay).toBe(40);

    // Still the same document: no navigation, no reload.
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(navigationsBefore);
  });

  test('the BGP slider works with the keyboard', async ({ page, studio }) => {
    await studio.goto();
    await studio.expectTotals('4.20', '3.60');

    const range = studio.range('bgp_underlay');
    await range.focus();
    await expect(range).toBeFocused();
    // Ten steps of 0.1: 10.0 % -> 11.0 %, enough to move both totals in the second decimal.
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');

    await expect(range).toBeFocused();
    await studio.expectTotalsChangedFrom({ cilium: '4.20', calico: '3.60' });
    await expect(studio.weightInput('bgp_underlay')).toHaveValue(/^11(\.0)?$/);
    await expect.poll(() => studio.weightSum()).toBeCloseTo(100, 1);
  });
});
