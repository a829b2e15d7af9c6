import { test, expect } from '../fixtures';

/** "cilium:9312,calico:688": each candidate's first-rank share in draws per 10,000, sorted. */
function draws(text: string | null): string[] {
  return (text ?? '').split(',').filter(Boolean).sort();
}

test.describe('robustness', () => {
  test('an architect widens the band and sees the acceptability change, exactly as the server computes it', async ({
    page,
    studio,
  }) => {
    await studio.goto();
    const chart = page.getByTestId('acceptability-chart');
    await expect(chart.locator('svg')).toBeVisible();
    await expect(page.getByTestId('robustness-summary')).toContainText(/Cilium ranks first in \d+(\.\d)? %/);
    const before = await chart.getAttribute('data-draws');
    const svgBefore = await chart.innerHTML();

    await page.locator('#band').fill('20');
    await expect(page.getByTestId('band')).toHaveText('20');
    await expect(chart).not.toHaveAttribute('data-draws', before ?? '');
    expect(await chart.innerHTML()).not.toEqual(svgBefore);
    // A band of 0 is the weights exactly: the winner ranks first in every draw.
    await page.locator('#band').fill('0');
    await expect(page.getByTestId('robustness-summary')).toContainText('ranks first in 100 %');
    await page.locator('#band').fill('20');

    // The same seed gives the same draws in the browser's WASM and on the server.
    const weights = await studio.readWeights();
    const res = await page.request.post('/api/v1/robustness', {
      headers: { Origin: new URL(page.url()).origin },
      data: { weights, band: 20, samples: 10000, seed: 1 },
    });
    expect(res.ok(), `POST /api/v1/robustness answered ${res.status()}: ${await res.text()}`).toBeTruthy();
    const body = (await res.json()) as { rank_acceptability: Record<string, number[]> };
    const server = Object.entries(body.rank_acceptability).map(([k, v]) => `${k}:${Math.floor(v[0] * 10000 + 0.5)}`);
    expect(draws(await chart.getAttribute('data-draws'))).toEqual(server.sort());
  });

  test('an architect raises the BGP weight and sees plant clusters that would flip to Calico', async ({
    page,
    studio,
  }) => {
    await studio.goto();
    const toCalico = async (): Promise<number> => {
      const li = page.getByTestId('whatif-plant-calico');
      if ((await li.count()) === 0) return 0;
      return Number(/: (\d+) →/.exec(await li.innerText())?.[1] ?? 'NaN');
    };
    const before = await toCalico();
    await studio.setSlider('bgp_underlay', 45);
    await expect.poll(toCalico, { message: 'plant clusters flipping to Calico' }).toBeGreaterThan(before);
    const changed = Number(/^(\d+) of/.exec(await page.getByTestId('whatif-total').innerText())?.[1]);
    expect(changed).toBeGreaterThan(0);

    // "Open them on the fleet map" shows exactly those clusters.
    await page.getByRole('button', { name: 'Open them on the fleet map' }).click();
    await expect(page).toHaveURL(/\/fleet\?whatif=/);
    await expect(page.getByTestId('fleet-whatif')).toBeVisible();
    await expect(page.getByTestId('fleet-count')).toContainText(new RegExp(`^${changed} of \\d+ clusters shown`));
  });

  test.describe('as a manager (viewer)', () => {
    test.use({ storageState: '.auth/viewer.json' });

    test('filters the map to contested clusters and sees why one is contested', async ({ page, studio }) => {
      await page.goto('/fleet');
      await studio.waitForHydration();
      const all = await page.getByTestId('cluster-mark').count();
      await page.locator('#f-status').selectOption('contested');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect(page).toHaveURL(/status=contested/);
      const marks = page.getByTestId('cluster-mark');
      const contested = await marks.count();
      expect(contested).toBeGreaterThan(0);
      expect(contested).toBeLessThan(all);
      // Readable without colour: each carries the ◐ badge and says so in words.
      for (const text of await marks.allInnerTexts()) expect(text).toContain('◐');
      await marks.first().locator('a').click();
      await expect(page).toHaveURL(/\/clusters\/\d+$/);
      await expect(page.getByTestId('robustness')).toContainText('How sure is it?');
      await expect(page.getByTestId('contested')).toBeVisible();
    });
  });
});
