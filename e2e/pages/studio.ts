import { expect, type Locator, type Page } from '@playwright/test';

/** The criteria keys, in the order the studio shows them. */
export const CRITERIA = [
  'identity_policy',
  'l7_policy',
  'observability',
  'multi_cluster',
  'encryption',
  'performance_footprint',
  'bgp_underlay',
  'operational_simplicity',
  'governance',
] as const;

export type CriterionKey = (typeof CRITERIA)[number];
export type WeightMap = Record<CriterionKey, number>;

/** The seed profile's weights in percent ("Industrial ADR 2026"). */
export const SEED_WEIGHTS: WeightMap = {
  identity_policy: 15,
  l7_policy: 10,
  observability: 15,
  multi_cluster: 10,
  encryption: 10,
  performance_footprint: 10,
  bgp_underlay: 10,
  operational_simplicity: 10,
  governance: 10,
};

export const DEFAULT_PROFILE = 'Industrial ADR 2026';

/** A profile as `GET /api/v1/profiles` returns it. */
export interface ApiProfile {
  id: number | string;
  name: string;
  description: string | null;
  tier: string | null;
  context: string | null;
  weights: unknown;
  version: number;
}

/** Rounds a percent to the editor's resolution (0.1) so float noise never decides a comparison. */
export function tenth(percent: number): number {
  return Math.round(percent * 10) / 10;
}

/** Parses a weight as the inputs show it ("12.5", "40", "40.0"); NaN when it is not a number. */
export function parsePercent(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text.trim());
}

/** Page object for the what-if studio at `/` (the DOM contract lives in e2e/README.md). */
export class StudioPage {
  readonly html: Locator;
  readonly totalCilium: Locator;
  readonly totalCalico: Locator;
  readonly winner: Locator;
  readonly margin: Locator;
  readonly clearWinner: Locator;
  readonly contributionChart: Locator;
  readonly tornadoChart: Locator;
  readonly profile: Locator;
  readonly tier: Locator;
  readonly resetButton: Locator;
  readonly newProfileName: Locator;
  readonly saveAsNewButton: Locator;
  readonly updateButton: Locator;
  readonly status: Locator;
  readonly conflict: Locator;
  readonly scoreMatrix: Locator;

  constructor(readonly page: Page) {
    this.html = page.locator('html');
    this.totalCilium = page.getByTestId('total-cilium');
    this.totalCalico = page.getByTestId('total-calico');
    this.winner = page.getByTestId('winner');
    this.margin = page.getByTestId('margin');
    this.clearWinner = page.getByTestId('clear-winner');
    this.contributionChart = page.locator('[data-testid="contribution-chart"] svg').first();
    this.tornadoChart = page.locator('[data-testid="tornado-chart"] svg').first();
    this.profile = page.locator('select#profile');
    this.tier = page.locator('select#tier');
    this.resetButton = page.getByRole('button', { name: 'Reset to profile' });
    this.newProfileName = page.locator('#new-profile-name');
    this.saveAsNewButton = page.getByRole('button', { name: 'Save as new profile' });
    this.updateButton = page.getByRole('button', { name: 'Update profile' });
    this.status = page.getByTestId('status');
    this.conflict = page.getByTestId('conflict');
    this.scoreMatrix = page.locator('table[data-testid="score-matrix"]');
  }

  /** Opens the studio and waits until the WASM bundle has hydrated it. */
  async goto(): Promise<void> {
    await this.page.goto('/');
    await this.waitForHydration();
  }

  /** Reloads the page and waits for hydration again. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForHydration();
  }

  /**
   * The hydration marker: `<html data-hydrated="true">` is set once the client has taken over.
   * A little more patience than the default 10 s: the first visit compiles the WASM bundle on a
   * busy two-core machine.
   */
  async waitForHydration(): Promise<void> {
    await expect(this.html, 'the page never hydrated (no <html data-hydrated="true">)').toHaveAttribute(
      'data-hydrated',
      'true',
      { timeout: 20_000 },
    );
  }

  range(key: CriterionKey): Locator {
    return this.page.locator(`#w-${key}-range`);
  }

  weightInput(key: CriterionKey): Locator {
    return this.page.locator(`#w-${key}`);
  }

  weightLabel(key: CriterionKey): Locator {
    return this.page.locator(`label[for="w-${key}"]`);
  }

  lock(key: CriterionKey): Locator {
    return this.page.locator(`#lock-${key}`);
  }

  weightError(key: CriterionKey): Locator {
    return this.page.getByTestId(`weight-error-${key}`);
  }

  /** All nine weights as the number inputs show them, in percent. */
  async readWeights(): Promise<WeightMap> {
    const out = {} as WeightMap;
    for (const key of CRITERIA) out[key] = parsePercent(await this.weightInput(key).inputValue());
    return out;
  }

  /** The same, rounded to 0.1 (for equality checks). */
  async readWeightsRounded(): Promise<WeightMap> {
    const raw = await this.readWeights();
    const out = {} as WeightMap;
    for (const key of CRITERIA) out[key] = tenth(raw[key]);
    return out;
  }

  /** Sum of the nine number inputs, in percent. */
  async weightSum(): Promise<number> {
    const weights = await this.readWeights();
    return CRITERIA.reduce((sum, key) => sum + weights[key], 0);
  }

  /** The range input's value as a number. */
  async rangeValue(key: CriterionKey): Promise<number> {
    return parsePercent(await this.range(key).inputValue());
  }

  /** Moves a slider: `fill` on a range input sets the value and dispatches input and change. */
  async setSlider(key: CriterionKey, percent: number): Promise<void> {
    await this.range(key).fill(String(percent));
  }

  /**
   * Types text into a weight's number input the way a user does (clear, type, Enter) so it works
   * whether the input is `type="number"` or `type="text"`. Note that Chromium drops letters typed
   * into a `type="number"` input, so `abc` then commits an empty field.
   */
  async typeWeight(key: CriterionKey, text: string): Promise<void> {
    const input = this.weightInput(key);
    await input.click();
    await input.fill('');
    await input.pressSequentially(text);
    await input.press('Enter');
  }

  async totals(): Promise<{ cilium: string; calico: string }> {
    return {
      cilium: (await this.totalCilium.innerText()).trim(),
      calico: (await this.totalCalico.innerText()).trim(),
    };
  }

  async expectTotals(cilium: string, calico: string): Promise<void> {
    await expect(this.totalCilium).toHaveText(cilium);
    await expect(this.totalCalico).toHaveText(calico);
  }

  /** Waits until both totals differ from the given ones. */
  async expectTotalsChangedFrom(before: { cilium: string; calico: string }): Promise<void> {
    await expect(this.totalCilium).not.toHaveText(before.cilium);
    await expect(this.totalCalico).not.toHaveText(before.calico);
  }

  async contributionSvg(): Promise<string> {
    return this.contributionChart.innerHTML();
  }

  async tornadoSvg(): Promise<string> {
    return this.tornadoChart.innerHTML();
  }

  async selectedProfileName(): Promise<string> {
    return (await this.profile.locator('option:checked').innerText()).trim();
  }

  /**
   * Picks a profile: the studio opens it by its address (`/?profile=<id>`), so the page's
   * stakeholder section matches; waits for the new page to hydrate.
   */
  async selectProfile(name: string): Promise<void> {
    const value = await this.profile.locator('option', { hasText: name }).first().getAttribute('value');
    await Promise.all([
      this.page.waitForURL((url) => url.searchParams.get('profile') === value),
      this.profile.selectOption({ label: name }),
    ]);
    await this.waitForHydration();
    await expect(this.profile.locator('option:checked')).toHaveText(name);
  }

  async selectTier(tier: '' | 'cell' | 'plant' | 'regional' | 'cloud'): Promise<void> {
    await this.tier.selectOption({ value: tier });
  }

  /**
   * Types a name and clicks "Save as new profile": a plain form post, so the browser follows the
   * server's redirect to the studio opened on the saved profile; waits for its status line and
   * for the new page to hydrate.
   */
  async saveAsNewProfile(name: string): Promise<void> {
    await this.newProfileName.fill(name);
    await this.saveAsNewButton.click();
    await expect(this.page).toHaveURL(/[?&]saved=new/);
    await expect(this.status).toContainText(/saved/i);
    await this.waitForHydration();
  }

  /** Clicks "Update profile" and waits for the page the server answers with to hydrate. */
  async update(): Promise<void> {
    const before = this.page.url();
    await this.updateButton.click();
    await expect(this.page).not.toHaveURL(before);
    await this.waitForHydration();
  }

  /** Every profile the API knows. */
  async apiProfiles(): Promise<ApiProfile[]> {
    const res = await this.page.request.get('/api/v1/profiles');
    expect(res.ok(), `GET /api/v1/profiles answered ${res.status()}: ${await res.text()}`).toBeTruthy();
    return (await res.json()) as ApiProfile[];
  }

  async apiProfileByName(name: string): Promise<ApiProfile> {
    const found = (await this.apiProfiles()).find((p) => p.name === name);
    expect(found, `profile "${name}" in GET /api/v1/profiles`).toBeDefined();
    return found as ApiProfile;
  }
}

/**
 * A profile name no other run has used. It starts with "Zz e2e" on purpose: the server lists
 * profiles without a tier by name and the studio opens the first of them, so a test profile must
 * sort after "Industrial ADR 2026" in any collation or it would become the page's default.
 */
export function uniqueProfileName(label: string): string {
  return `Zz e2e ${label} ${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
}
