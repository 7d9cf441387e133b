import { readFileSync } from 'node:fs';
import { expect, loginAs, test } from './fixtures';

test('shows the seeded legal entities and their credentials', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demo Holdings: credentials');
  for (const name of ['Gulf Trading FZ-LLC', 'Selangor Components Sdn Bhd', 'Riyadh Supplies Co.']) {
    await expect(page.getByRole('heading', { name })).toBeVisible();
  }
  const uae = page.getByRole('table', { name: 'Credentials of Gulf Trading FZ-LLC' });
  await expect(uae.getByRole('row', { name: /ASP sandbox.*UAE ASP API key.*Sandbox.*Not configured/ })).toBeVisible();
  await expect(uae.getByRole('row', { name: /Direct DCTCE.*UAE direct OAuth client.*Production.*Not configured/ })).toBeVisible();
});

test('filters by regime and environment, and explains an empty result', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  await page.getByLabel('Regime').selectOption({ label: 'Malaysia MyInvois' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/regime=MY/);
  await expect(page.getByRole('heading', { name: 'Selangor Components Sdn Bhd' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Gulf Trading FZ-LLC' })).toHaveCount(0);

  await page.getByLabel('Environment').selectOption('PRODUCTION');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('Nothing matches these filters.')).toBeVisible();
  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(page.getByRole('heading', { name: 'Gulf Trading FZ-LLC' })).toBeVisible();
});

test('searches entities by tax id as typed, and by country, in a URL that can be shared', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  await page.getByLabel('Search').fill('3101-2239');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=3101-2239/);
  await expect(page.getByRole('heading', { name: 'Riyadh Supplies Co.' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Gulf Trading FZ-LLC' })).toHaveCount(0);
  await page.goto('/dashboard?country=MY');
  await expect(page.getByLabel('Country')).toHaveValue('MY');
  await expect(page.getByRole('heading', { level: 2, name: /Selangor/ })).toBeVisible();
  await expect(page.getByText('1 entity', { exact: true })).toBeVisible();
});

test('a viewer exports the entities with their credentials’ status, and no setting', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^legal-entities-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv).toContain('"Riyadh Supplies Co.","SA","310122393500003","","no","EGS unit 1","ZATCA CSID"');
  expect(csv).not.toContain('gulf-trading-erp'); // a non-secret setting of a demo credential stays out too
  await expect(page.getByRole('link', { name: 'Add legal entity' })).toHaveCount(0);
  expect((await page.goto('/entities/import'))?.status()).toBe(403);
});

test('opens a legal entity page from the dashboard', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  await page.getByRole('link', { name: 'Riyadh Supplies Co.' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Riyadh Supplies Co.');
  await expect(page.getByText('310122393500003')).toBeVisible();
  await expect(page.getByRole('table')).toContainText('ZATCA CSID');
});

test('a viewer is refused an admin page; an admin is let in', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  const refused = await page.goto('/admin/users');
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();

  await page.context().clearCookies();
  await loginAs(page, 'ADMIN');
  const allowed = await page.goto('/admin/users');
  expect(allowed?.status()).toBe(200);
  await expect(page.getByRole('table')).toContainText('viewer@demo.example');
});

test('keyboard users can skip to the content and reach the filters', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  await page.goto('/dashboard');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Export CSV' })).toBeFocused();
  // Then the four counts of what needs attention, then the filters.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: /^\d+ expired$/ })).toBeFocused();
  for (let count = 0; count < 4; count++) await page.keyboard.press('Tab');
  await expect(page.getByLabel('Search')).toBeFocused();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test('health reports the database, migrations and whether the keys can be used', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok', db: 'up', migrations: 'current', keys: 'usable', keyProvider: 'env' });
});
