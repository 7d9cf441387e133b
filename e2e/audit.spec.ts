import { expect, loginAs, test } from './fixtures';

test('an auditor reads the log, verifies the chain and exports it', async ({ page }) => {
  await loginAs(page, 'AUDITOR');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  const events = page.getByRole('table', { name: 'Audit events, newest first' });
  // Events read as sentences.
  await expect(events).toContainText('Signed in');
  await expect(events).toContainText('auditor@demo.example');

  // Filtered by action and outcome, in the URL (shareable), and exported as filtered.
  await page.getByLabel('What').selectOption({ label: 'Signed in' });
  await page.getByLabel('Outcome').selectOption('SUCCESS');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/action=auth\.sign_in/);
  await expect(page).toHaveURL(/outcome=SUCCESS/);
  const rows = events.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) expect(text).toContain('Signed in');
  const filteredHref = await page.getByRole('link', { name: 'Export these events (CSV)' }).getAttribute('href');
  const filtered = (await (await page.request.get(filteredHref!)).text()).trim().split('\n').slice(1);
  expect(filtered.length).toBeGreaterThan(0);
  expect(filtered.every((line) => line.includes('"auth.sign_in"') && line.includes('"SUCCESS"'))).toBe(true);
  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  // Unfiltered, the organization's events count down one by one: no number is skipped.
  const numbers = (await events.locator('tbody tr td:first-child').allTextContents()).map(Number);
  expect(numbers.length).toBeGreaterThan(1);
  expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! - i));

  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(page.getByRole('status')).toContainText(/Intact: \d+ events/);

  const csv = await page.request.get('/audit/export?format=csv');
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-disposition']).toMatch(/attachment; filename="strongroom-audit-.*\.csv"/);
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe('"number","at","actorType","actorLabel","action","targetType","targetId","outcome","ip","userAgent","details","hash","description"');
  expect(lines.length).toBeGreaterThan(1);

  // The JSON export is the verifiable form: every hashed field, a checkpoint signed now, the public key.
  // It signs a checkpoint and writes an event, so it is a POST from the page, never a link.
  expect((await page.request.get('/audit/export?format=json')).status()).toBe(405);
  expect((await page.request.post('/audit/export', { headers: { origin: 'http://evil.example' } })).status()).toBe(403);
  expect((await page.request.post('/audit/export', { headers: { 'sec-fetch-site': 'cross-site' } })).status()).toBe(403);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the whole chain (JSON, verifiable)' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^strongroom-audit-\d{4}-\d{2}-\d{2}\.json$/);
  const json = await page.request.post('/audit/export', { headers: { origin: new URL(page.url()).origin } });
  const log = (await json.json()) as { format: string; checkpoints: { seq: string }[]; publicKeys: { pem: string }[]; events: { action: string; hash: string; prevHash: string; seq: string }[] };
  expect(log.format).toBe('strongroom-audit-export/1');
  expect(log.events.some((e) => e.action === 'audit.export')).toBe(true);
  expect(log.events.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && /^[0-9a-f]{64}$/.test(e.prevHash))).toBe(true);
  expect(log.checkpoints.at(-1)!.seq).toBe(log.events.at(-1)!.seq);
  expect(log.publicKeys[0]!.pem).toContain('BEGIN PUBLIC KEY');
});

test('a viewer may neither read nor export the audit log', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  expect((await page.goto('/audit'))?.status()).toBe(403);
  expect((await page.request.get('/audit/export?format=csv')).status()).toBe(403);
});
