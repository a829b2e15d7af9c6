import { expect, test } from '../fixtures';
import { DEFAULT_PROFILE, SEED_WEIGHTS, uniqueProfileName } from '../pages/studio';

test.describe('profiles', () => {
  test('a saved profile survives a reload', async ({ studio }) => {
    await studio.goto();
    await studio.setSlider('bgp_underlay', 25);
    await expect(studio.weightInput('bgp_underlay')).toHaveValue(/^25(\.0)?$/);
    await expect.poll(() => studio.weightSum()).toBeCloseTo(100, 1);
    const saved = await studio.readWeightsRounded();
    expect(saved).not.toEqual(SEED_WEIGHTS);

    const name = uniqueProfileName('saved');
    await studio.saveAsNewProfile(name);

    // The studio opened on the saved profile, with the weights it was saved with...
    await expect(studio.profile.locator('option:checked')).toHaveText(name);
    await expect.poll(() => studio.readWeightsRounded(), { message: `weights of "${name}"` }).toEqual(saved);

    await studio.goto();
    // ...a fresh visit starts from the default profile again...
    await expect(studio.profile.locator('option:checked')).toHaveText(DEFAULT_PROFILE);
    await studio.expectTotals('4.20', '3.60');
    // ...and the saved one is there, with the weights it was saved with.
    await studio.selectProfile(name);
    await expect.poll(() => studio.readWeightsRounded(), { message: `weights of "${name}"` }).toEqual(saved);
    await studio.expectTotalsChangedFrom({ cilium: '4.20', calico: '3.60' });
  });

  test('updating a profile someone else changed shows a conflict and keeps my weights', async ({ page, studio }) => {
    await studio.goto();
    await studio.setSlider('bgp_underlay', 20);
    const name = uniqueProfileName('conflict');
    await studio.saveAsNewProfile(name);
    // The page must be editing the new profile (selected before anyone else touches it).
    if ((await studio.selectedProfileName()) !== name) await studio.selectProfile(name);

    // "Someone else" updates it through the API with the current version.
    const theirs = await studio.apiProfileByName(name);
    const { name: theirName, description, tier, context, weights, version } = theirs;
    const res = await page.request.put(`/api/v1/profiles/${theirs.id}`, {
      // A cookie-authenticated write must name our own origin (CSRF protection).
      headers: { Origin: new URL(page.url()).origin },
      data: {
        name: theirName,
        description: `${description ?? ''} (edited by someone else)`.trim(),
        tier,
        context,
        weights,
        version,
      },
    });
    expect(res.ok(), `PUT /api/v1/profiles/${theirs.id} answered ${res.status()}: ${await res.text()}`).toBeTruthy();
    const after = await studio.apiProfileByName(name);
    expect(after.version, 'the concurrent update bumped the version').not.toBe(theirs.version);

    // Our page still holds the old version: its update must be refused, visibly.
    await studio.setSlider('bgp_underlay', 30);
    const mine = await studio.readWeightsRounded();
    await studio.update();
    await expect(studio.conflict).toBeVisible();
    await expect(studio.conflict).toHaveAttribute('role', 'alert');
    await expect(studio.conflict).toContainText(/changed/i);
    // Nothing I did is lost: the refused weights are back in the editor.
    expect(await studio.readWeightsRounded()).toEqual(mine);

    // And the other party's change was not overwritten.
    const final = await studio.apiProfileByName(name);
    expect(final.version).toBe(after.version);
    expect(final.description).toBe(after.description);

    // "Load their version" opens their weights; updating from there works.
    await studio.conflict.getByRole('link', { name: 'load their version' }).click();
    await studio.waitForHydration();
    await expect(studio.conflict).toHaveCount(0);
    await expect(studio.weightInput('bgp_underlay')).toHaveValue(/^20(\.0)?$/);
    await studio.setSlider('bgp_underlay', 22);
    await studio.update();
    await expect(studio.status).toContainText(`Updated profile '${name}' (version ${after.version + 1})`);
  });

  test('a refused save brings back the weights with the reason', async ({ studio }) => {
    await studio.goto();
    await studio.setSlider('bgp_underlay', 27);
    const mine = await studio.readWeightsRounded();
    // The default profile's name is taken.
    await studio.newProfileName.fill('Industrial ADR 2026');
    await studio.saveAsNewButton.click();
    await expect(studio.page.getByTestId('form-error')).toContainText(/already exists/);
    await studio.waitForHydration();
    expect(await studio.readWeightsRounded()).toEqual(mine);
    await expect(studio.newProfileName).toHaveValue('Industrial ADR 2026');
  });
});
