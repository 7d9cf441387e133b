import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_DATA_DIR, E2E_SERVER_LOG } from '../playwright.config';
import { expect, loginAs, openNewCredentialForm, passGate, test, fieldRow } from './fixtures';

const canary = () => `CANARY${randomBytes(16).toString('hex')}`;


function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('a secret stored through the UI appears in no page, response, log or database file', async ({ page }) => {
  const seen: string[] = [];
  page.on('response', async (response) => {
    const type = response.headers()['content-type'] ?? '';
    if (/html|x-component|json|javascript|text/.test(type)) seen.push(await response.text().catch(() => ''));
  });
  const secret = canary();
  const replacement = canary();
  // Stored in clear on purpose: proves the scans below do see what was written.
  const clientId = `visible-${randomBytes(8).toString('hex')}`;

  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'OAuth2 client credentials');
  await page.getByLabel('Label').fill('Canary client');
  await page.getByLabel('Token endpoint').fill('https://auth.example.com/oauth/token');
  await page.getByLabel('Client ID').fill(clientId);
  await page.getByLabel('Client secret').fill(secret);
  await page.getByRole('button', { name: 'Create credential' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText('Canary client');
  const secretRow = fieldRow(page, /Client secret/);
  await expect(secretRow).toContainText(/Set · fingerprint [0-9a-f]{8}/);
  const firstFingerprint = await secretRow.locator('code').textContent();

  // Edit without touching the secret: it is kept, and the fingerprint stays.
  await page.getByRole('link', { name: 'Edit or replace secrets' }).click();
  await passGate(page);
  await expect(page.getByText(`Set · fingerprint ${firstFingerprint}`)).toBeVisible();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(fieldRow(page, /Client ID/)).toContainText(clientId);
  await expect(fieldRow(page, /Client secret/).locator('code')).toHaveText(firstFingerprint!);

  // Replace it: a new fingerprint.
  await page.getByRole('link', { name: 'Edit or replace secrets' }).click();
  await passGate(page);
  await page.getByRole('button', { name: 'Replace Client secret' }).click();
  await page.getByLabel('Client secret').fill(replacement);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(fieldRow(page, /Client secret/).locator('code')).not.toHaveText(firstFingerprint!);
  await expect(fieldRow(page, /Client secret/)).toContainText(/Set · fingerprint [0-9a-f]{8}/);

  await page.goto('/dashboard');
  await expect(page.getByRole('link', { name: 'Canary client' })).toBeVisible();

  expect(seen.some((body) => body.includes(clientId))).toBe(true);
  for (const body of seen) {
    expect(body).not.toContain(secret);
    expect(body).not.toContain(replacement);
  }
  expect(readFileSync(E2E_SERVER_LOG, 'utf8')).not.toContain(secret);
  expect(readFileSync(E2E_SERVER_LOG, 'utf8')).not.toContain(replacement);
  const files = filesUnder(E2E_DATA_DIR);
  expect(files.some((file) => readFileSync(file).includes(clientId))).toBe(true);
  for (const file of files) {
    const bytes = readFileSync(file);
    expect(bytes.includes(secret), file).toBe(false);
    expect(bytes.includes(replacement), file).toBe(false);
  }
});

test('server field errors land on their fields, and nothing is stored', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Selangor Components Sdn Bhd', 'MyInvois OAuth client');
  // The seeded MyInvois credential is labelled "MyInvois pre-production" in the sandbox.
  await page.getByLabel('Label').fill('MyInvois pre-production');
  await page.getByLabel('Client ID').fill('selangor');
  await page.getByLabel('Client secret').fill(canary());
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.locator('#credential-form-error')).toContainText('already has a credential');
  await expect(page.getByLabel('Label')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#field-label-error')).toHaveText('Choose another label');
});

test('client-side checks explain bad values before anything is sent', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'UAE ASP API key');
  await page.getByLabel('Label').fill('ASP production');
  await page.getByLabel('ASP API base URL').fill('http://asp.example.com');
  await page.getByLabel('Peppol participant ID').fill('1002345678');
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByLabel('ASP API base URL')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Must be https (plain http only to this machine, for development)')).toBeVisible();
  await expect(page.getByText('Use 0235: followed by the first 10 digits of the TRN')).toBeVisible();
  await expect(page.getByText('Enter the API key')).toBeVisible();
});

test('revoking destroys the secrets; the credential stays as a record', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Riyadh Supplies Co.', 'Webhook secret');
  await page.getByLabel('Label').fill('Inbound webhook');
  await page.getByLabel('Signing secret').fill(canary());
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(fieldRow(page, /Signing secret/)).toContainText('Set · fingerprint');
  await page.getByRole('button', { name: 'Revoke…' }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  // The code that opened "create" opened the working window: revoking asks for no second code.
  await expect(fieldRow(page, /Signing secret/)).toContainText('Not set');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Revoked');
});

test('a viewer sees status but cannot open a form that changes secrets', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  await page.getByRole('link', { name: 'Direct DCTCE' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Direct DCTCE');
  await expect(page.getByRole('link', { name: /Configure|Edit/ })).toHaveCount(0);
  const editUrl = `${page.url()}/edit`;
  expect((await page.goto(editUrl))?.status()).toBe(403);
});
