import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { test, expect } from '../fixtures';

/** (path, text) of every regular file in an uncompressed tar. */
function untar(raw: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  for (let at = 0; at + 512 <= raw.length && raw[at] !== 0;) {
    const name = raw.subarray(at, at + 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(raw.subarray(at + 124, at + 136).toString('utf8').replace(/\0/g, '').trim(), 8);
    files.set(name, raw.subarray(at + 512, at + 512 + size).toString('utf8'));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

test.describe('GitOps hand-off', () => {
  test.use({ storageState: '.auth/architect.json' });

  test('an architect downloads the values bundle from the fleet map', async ({ page, studio }) => {
    await page.goto('/fleet');
    await studio.waitForHydration();
    const download = page.waitForEvent('download');
    await page.getByTestId('gitops-bundle').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('switchyard-gitops.tar.gz');
    const files = untar(gunzipSync(readFileSync(await file.path())));
    for (const name of ['values-cloud.yaml', 'values-regional.yaml', 'values-plant.yaml', 'values-cell-cilium.yaml', 'values-cell-calico.yaml']) {
      expect(files.has(`values/${name}`), name).toBe(true);
    }
    const plant = files.get('values/values-plant.yaml') ?? '';
    expect(plant).toContain('# ADRs: ADR-0001');
    expect(plant).toContain('kubeProxyReplacement: true');
    const registrations = [...files.keys()].filter((p) => p.startsWith('clusters/'));
    expect(registrations.length).toBeGreaterThan(30);
    const brno = files.get('clusters/brno/plant-brno.yaml') ?? '';
    expect(brno).toContain('switchyard.io/cni: calico');
    expect(brno).toContain('switchyard.io/values: values-plant-calico.yaml');
    expect(files.get('README.md')).toContain('CNI values from Switchyard');
  });

  test('the API reference lists the plugin generator', async ({ page }) => {
    await page.goto('/api/docs');
    await expect(page.getByRole('heading', { name: 'POST /api/v1/getparams.execute' })).toBeVisible();
    await expect(page.locator('#schema-ErrorBody')).toBeVisible();
  });
});
