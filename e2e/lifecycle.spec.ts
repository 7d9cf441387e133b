import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { confirmStepUp, expect, loginAs, submitServiceAccount, test } from './fixtures';

// The demo entity Atlas Retail has a credential in each state: what the first look at the demo shows.
test('the dashboard counts what needs attention and links into the Expiring and failing view', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  const counts = page.getByRole('list', { name: 'Needs attention' });
  await expect(counts.getByRole('link', { name: '1 expired' })).toBeVisible();
  await counts.getByRole('link', { name: /^1 expiring/ }).click();

  await expect(page).toHaveURL(/\/expiring\?show=EXPIRING$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Expiring and failing');
  const rows = page.getByRole('table', { name: 'Credentials that need attention, most urgent first' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('Archive API key');
  await expect(rows.nth(1)).toContainText('Atlas Retail L.L.C.');
  await expect(rows.nth(1)).toContainText(/Expires in 1[12] days/);
  await expect(rows.nth(1).locator('time')).toHaveText(/^\d{1,2} \w{3} \d{4}, 00:00 UTC$/);

  // Everything, most urgent first: the expired one leads; the failing one says since when.
  await page.getByLabel('Show').selectOption({ label: 'Everything that needs someone' });
  await page.getByLabel('Legal entity').selectOption({ label: 'Atlas Retail L.L.C.' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(rows.nth(1)).toContainText('Legacy portal login');
  // The seed sets its expiry to midnight UTC five days before the day it ran: a run that crosses
  // midnight between seeding and this page sees six.
  await expect(rows.nth(1)).toContainText(/Expired [56] days ago/);
  await expect(page.getByRole('row', { name: /ASP production.*Failing.*3 failed in a row/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Archive sandbox key.*Never tested/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /ERP token client/ })).toHaveCount(0);

  // A credential's page: the 30-day chart, its schedule and owner.
  await page.getByRole('link', { name: 'ASP production' }).click();
  await expect(page.getByText('Last 30 days: 30 tests, 27 succeeded')).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Amira Admin (admin@demo.example)' })).toBeVisible();
});

test('an administrator sets lead times; a nonsense value is refused and changes nothing', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/admin/settings');
  const lead = page.locator('#lead-api-key');
  await lead.fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('At least 1 day: a credential must be flagged before it expires')).toBeVisible();
  await page.reload();
  await expect(lead).toHaveValue('');
});

test('the service API refuses an expired credential’s token with a clear error', async ({ page, request }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/expiring?show=EXPIRED');
  await page.getByRole('link', { name: 'Legacy portal login' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Expired');
  const credentialId = new URL(page.url()).pathname.split('/').pop()!;
  await submitServiceAccount(page, { name: 'Atlas transmission', entity: 'Atlas Retail L.L.C.' });
  await confirmStepUp(page);
  const key = (await page.locator('#new-api-key').textContent())!;
  const refused = await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: { authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(409);
  expect((await refused.json()).error).toMatchObject({ code: 'CREDENTIAL_EXPIRED', message: expect.stringMatching(/^This credential expired on \d{4}-\d{2}-\d{2}, so no token is served/) });
});

test('an administrator registers a webhook endpoint, keeps its secret, and sends it a signed test event', async ({ page }) => {
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/strongroom`;
  try {
    await loginAs(page, 'ADMIN');
    await page.goto('/admin/webhooks');
    await expect(page.getByText('No endpoint yet.')).toBeVisible();
    await page.getByLabel('Endpoint URL').fill(url);
    await page.getByLabel('Description').fill('Ops chat');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await confirmStepUp(page);
    const secret = (await page.locator('#webhook-signing-secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await expect(page.getByRole('heading', { name: url })).toBeVisible();
    await expect(page.getByText(secret)).toHaveCount(0);

    await page.getByRole('button', { name: `Send a test event to 127.0.0.1:${new URL(url).port}` }).click();
    await expect.poll(() => received.length).toBe(1);
    const verified = new Webhook(secret).verify(received[0]!.body, received[0]!.headers as Record<string, string>) as { type: string };
    expect(verified.type).toBe('webhook.test');
    await page.reload();
    await expect(page.getByRole('table', { name: /^Delivery log of 127\.0\.0\.1/ }).getByRole('row', { name: /webhook\.test.*1.*204.*delivered/ })).toBeVisible();
  } finally {
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  }
});
