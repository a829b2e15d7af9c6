import { request, type FullConfig } from '@playwright/test';
import { mkdirSync } from 'node:fs';

/** Test accounts: created through the admin API, one signed-in browser state per role. */
export const ACCOUNTS = {
  architect: { email: 'architect@e2e.test', password: 'architect passphrase 1', role: 'architect' },
  viewer: { email: 'viewer@e2e.test', password: 'viewer passphrase 1', role: 'viewer' },
} as const;

export default async function globalSetup(config: FullConfig): Promise<void> {
  const baseURL = config.projects[0]?.use.baseURL ?? 'http://127.0.0.1:3000';
  const adminEmail = process.env.SWITCHYARD_ADMIN_EMAIL ?? 'admin@e2e.test';
  const adminPassword = process.env.SWITCHYARD_ADMIN_PASSWORD ?? 'e2e admin passphrase';
  mkdirSync('.auth', { recursive: true });
  // The server refuses cookie-authenticated writes without our own Origin (CSRF protection).
  const admin = await request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL } });
  const login = await admin.post('/api/v1/session', { data: { email: adminEmail, password: adminPassword } });
  if (login.status() !== 204) throw new Error(`admin sign-in failed: ${login.status()} ${await login.text()}`);
  // The admin's own signed-in state, for the admin pages' accessibility check.
  await admin.storageState({ path: '.auth/admin.json' });
  for (const [name, a] of Object.entries(ACCOUNTS)) {
    const r = await admin.post('/api/v1/users', {
      data: { email: a.email, display_name: `E2E ${name}`, role: a.role, password: a.password },
    });
    if (r.status() !== 201 && r.status() !== 409) throw new Error(`creating ${a.email}: ${r.status()} ${await r.text()}`);
    const ctx = await request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL } });
    const s = await ctx.post('/api/v1/session', { data: { email: a.email, password: a.password } });
    if (s.status() !== 204) throw new Error(`${a.email} sign-in failed: ${s.status()}`);
    await ctx.storageState({ path: `.auth/${name}.json` });
    await ctx.dispose();
  }
  await admin.dispose();
}
