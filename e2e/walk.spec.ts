import type { Page } from '@playwright/test';
import { CREDENTIAL_PROFILES } from '../lib/schemas/credential-profiles';
import { expect, loginAs, passGate, test, type DemoRole } from './fixtures';

// Every role walks every page its navigation and the demo's pages link to, as someone new would:
// a console error, an uncaught page error or a hydration warning on any of them fails the walk.
// Then every credential form, submitted empty and with a URL without a scheme, must say what is
// wrong at the field: a form that shows nothing is a dead end.

/** Collects what a user would never see but a broken page leaves: console errors and uncaught errors. */
function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /hydrat/i.test(message.text())) problems.push(`${page.url()}: console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  return problems;
}

/** Same-site pages linked from the current page (not downloads, not the API). */
async function linksOn(page: Page): Promise<string[]> {
  const hrefs = await page.locator('a[href^="/"]').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
  return hrefs.filter((href) => !/^\/(api\/|audit\/export|entities\/export)/.test(href));
}

for (const role of ['ADMIN', 'OPERATOR', 'VIEWER', 'AUDITOR'] as const satisfies readonly DemoRole[]) {
  test(`the ${role.toLowerCase()} walks every page they are shown without an error`, async ({ page }) => {
    test.setTimeout(180_000);
    const problems = watchForErrors(page);
    await loginAs(page, role);
    // The navigation's pages, then what the dashboard links to (entities, credentials, their trails).
    const toVisit = new Set(await linksOn(page));
    const seen = new Set<string>();
    for (const path of toVisit) {
      if (seen.size >= 40) break;
      const pathname = path.split('?')[0]!;
      if (seen.has(pathname)) continue;
      seen.add(pathname);
      const response = await page.goto(path);
      expect(response?.status(), `${path} answers`).toBeLessThan(400);
      await page.waitForLoadState('networkidle');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      if (path === '/dashboard' || /^\/entities\/[0-9a-f-]{36}$/.test(pathname)) for (const link of await linksOn(page)) toVisit.add(link);
    }
    expect(seen.size).toBeGreaterThan(role === 'ADMIN' ? 12 : 5);
    expect(problems).toEqual([]);
  });
}

test('every credential form says what is wrong at the field: empty, and a URL without a scheme', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = watchForErrors(page);
  await loginAs(page, 'ADMIN');
  await page.getByRole('link', { name: 'Riyadh Supplies Co.' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Riyadh Supplies Co.');
  const entityPath = new URL(page.url()).pathname;
  const credentials = await page.locator('main table tbody tr').count();
  for (const [profile, definition] of Object.entries(CREDENTIAL_PROFILES)) {
    await page.goto(`${entityPath}/credentials/new?profile=${profile}`);
    await passGate(page); // the step-up grant lives 30 s in these tests
    const form = page.getByRole('region', { name: `${definition.title} details` });
    await expect(form.getByRole('button', { name: 'Create credential' })).toBeVisible();
    // Empty: the label and every required field without a default say so; nothing is created.
    for (const field of definition.fields.filter((f) => f.kind === 'url')) await form.locator(`#field-${field.name}`).fill('');
    await form.getByRole('button', { name: 'Create credential' }).click();
    await expect(form.locator('#field-label-error'), `${profile}: label`).toBeVisible();
    for (const field of definition.fields.filter((f) => f.required && !f.defaultValue && f.kind !== 'select')) {
      await expect(form.locator(`#field-${field.name}-error`), `${profile}: ${field.name} when empty`).toBeVisible();
    }
    // A URL without its scheme: the field's own message, no thrown error.
    for (const field of definition.fields.filter((f) => f.kind === 'url')) {
      await form.locator(`#field-${field.name}`).fill('api.example.com/oauth/token');
      await form.getByRole('button', { name: 'Create credential' }).click();
      await expect(form.locator(`#field-${field.name}-error`), `${profile}: ${field.name}`).toHaveText('Enter a full URL such as https://api.example.com');
    }
  }
  await page.goto(entityPath);
  await expect(page.locator('main table tbody tr')).toHaveCount(credentials);
  expect(problems).toEqual([]);
});
