import { expect, test } from '../fixtures';
import { CRITERIA, SEED_WEIGHTS, type CriterionKey } from '../pages/studio';

const KEY: CriterionKey = 'bgp_underlay';

test.describe('weight input validation', () => {
  test('a bad number shows a message and leaves the weights alone', async ({ studio }) => {
    await studio.goto();
    await studio.expectTotals('4.20', '3.60');
    const error = studio.weightError(KEY);
    await expect(error).toBeHidden();

    /** After a rejected value: the alert is shown, nothing else moved. */
    const expectRejected = async (typed: string) => {
      await expect(error, `error message after typing "${typed}"`).toBeVisible();
      await expect(error).toHaveAttribute('role', 'alert');
      await expect(error).not.toHaveText('');
      await studio.expectTotals('4.20', '3.60');
      await expect.poll(() => studio.rangeValue(KEY), { message: `slider unchanged after "${typed}"` }).toBe(10);
      const weights = await studio.readWeightsRounded();
      for (const key of CRITERIA) {
        if (key !== KEY) expect(weights[key], `weight of ${key} after "${typed}"`).toBe(SEED_WEIGHTS[key]);
      }
    };

    await studio.typeWeight(KEY, '-5');
    await expect(error).toContainText(/negative/i);
    await expectRejected('-5');

    // Chromium drops letters typed into a type="number" input; either way a message must explain.
    await studio.typeWeight(KEY, 'abc');
    await expect(error).not.toContainText(/negative/i);
    await expectRejected('abc');

    await studio.typeWeight(KEY, '150');
    await expect(error).toContainText('100');
    await expectRejected('150');

    await studio.typeWeight(KEY, '12.34');
    await expect(error).toContainText(/decimal|0\.1|step/i);
    await expectRejected('12.34');

    // A valid value clears the message and is applied.
    await studio.typeWeight(KEY, '20');
    await expect(error).toBeHidden();
    await studio.expectTotalsChangedFrom({ cilium: '4.20', calico: '3.60' });
    await expect.poll(() => studio.rangeValue(KEY)).toBe(20);
    await expect.poll(() => studio.weightSum()).toBeCloseTo(100, 1);
  });
});
