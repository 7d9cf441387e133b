import { readFileSync } from 'node:fs';
import { E2E_FRESH_PORT, E2E_FRESH_SERVER_LOG } from '../playwright.config';
import type { Locator } from '@playwright/test';
import { confirmStepUp, enrollTotp, expect, passGate, test, fieldRow } from './fixtures';

// A company's first start: a server on an empty database without demo data (SEED_DEMO=false).
test.use({ baseURL: `http://localhost:${E2E_FRESH_PORT}` });

const ADMIN = { email: 'ada@acme.example', password: 'correct horse battery staple' };
const OPERATOR = { email: 'omar@acme.example', password: 'operator passphrase 42' };

/** The setup link the server printed to its log when it started. */
function setupLinkFromLog(): string {
  const match = /^ {2}(http:\/\/localhost:\d+\/setup\?token=[A-Za-z0-9_-]{43})$/m.exec(readFileSync(E2E_FRESH_SERVER_LOG, 'utf8'));
  if (!match) throw new Error('the server printed no setup link');
  return match[1]!;
}

test('a new company sets itself up, invites a colleague, adds its entities and a credential, and deactivates the colleague', async ({ page, browser }) => {
  test.setTimeout(300_000); // several TOTP steps, each used once
  // Nobody can sign in yet, and the page says why and what to do.
  await page.goto('/sign-in');
  await expect(page.getByText('This installation has no organization yet')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);

  // Without the printed link, or with a forged one, setup is refused.
  await page.goto('/setup');
  await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toContainText('needs the setup link the server printed');
  await page.goto(`/setup?token=${'A'.repeat(43)}`);
  await expect(page.getByRole('alert').filter({ hasText: /\w/ })).toContainText('missing, used, expired or mistyped');

  const setupLink = setupLinkFromLog();
  await page.goto(new URL(setupLink).pathname + new URL(setupLink).search);
  await page.getByLabel('Organization').fill('Acme Group');
  await page.getByLabel('Your name').fill('Ada Admin');
  await page.getByLabel('Your email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.email);
  await page.getByLabel('Repeat the password').fill(ADMIN.email);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.locator('#new-password-error')).toHaveText('Choose a password that is not your email address');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Repeat the password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create organization' }).click();

  // Signed in, and taken through two-factor with recovery codes before the dashboard.
  await expect(page).toHaveURL(/\/settings\/security\?next=%2Fdashboard|\/settings\/security\?next=\/dashboard/);
  await expect(page.getByText('Changing secrets needs two-factor authentication')).toBeVisible();
  const codes = await enrollTotp(page, 'ACME_ADMIN', ADMIN.password);
  expect(codes).toHaveLength(10);
  // Two-factor is on: the red line that asked for it is gone while the codes show.
  await expect(page.getByText('Changing secrets needs two-factor authentication')).toBeHidden();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText('This organization has no legal entities yet.')).toBeVisible();
  // The setup page is gone, link or not.
  expect((await page.goto(new URL(setupLink).pathname + new URL(setupLink).search))?.status()).toBe(404);

  // Invite an operator: the step-up of the "users" purpose first, then the link, shown once.
  await page.goto('/admin/users');
  await page.getByLabel('Email').fill(OPERATOR.email);
  await page.getByLabel('Role').selectOption('OPERATOR');
  await page.getByRole('button', { name: 'Invite' }).click();
  await confirmStepUp(page, 'ACME_ADMIN');
  const inviteLink = (await page.locator('#invite-link').textContent())!;
  expect(inviteLink).toMatch(/\/invite\?token=[A-Za-z0-9_-]{43}$/);
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('row', { name: new RegExp(OPERATOR.email) })).toContainText('Invited, link valid until');

  // The operator accepts in a browser of their own.
  const operatorContext = await browser.newContext({ baseURL: `http://localhost:${E2E_FRESH_PORT}` });
  const operator = await operatorContext.newPage();
  await operator.goto(new URL(inviteLink).pathname + new URL(inviteLink).search);
  await expect(operator.getByRole('heading', { name: 'Join Acme Group' })).toBeVisible();
  await operator.getByLabel('Your name').fill('Omar Operator');
  await operator.getByLabel('Password', { exact: true }).fill(OPERATOR.password);
  await operator.getByLabel('Repeat the password').fill(OPERATOR.password);
  await operator.getByRole('button', { name: 'Join' }).click();
  await expect(operator).toHaveURL(/\/dashboard$/);
  await expect(operator.getByText('Omar Operator · operator · Acme Group')).toBeVisible();
  // The link is used up.
  await operator.goto(new URL(inviteLink).pathname + new URL(inviteLink).search);
  await expect(operator.getByRole('alert').filter({ hasText: /\w/ })).toContainText('not valid');
  await operator.goto('/dashboard');

  // Legal entities: a wrong tax id is explained with the country's rule, a right one is stored.
  await page.goto('/dashboard');
  await page.getByRole('link', { name: 'Add legal entity' }).click();
  await page.getByLabel('Registered name').fill('Acme Polska Sp. z o.o.');
  await page.getByLabel('Country').selectOption('PL');
  await page.getByLabel('Tax id').fill('526-025-02-75');
  await page.getByRole('button', { name: 'Add legal entity' }).click();
  await expect(page.locator('#entity-tax-id-error')).toHaveText('A Polish NIP is 10 digits whose last digit matches the weighted checksum of the first nine.');
  await page.getByLabel('Tax id').fill('526-025-02-74');
  await page.getByRole('button', { name: 'Add legal entity' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Polska Sp. z o.o.');
  await expect(page.getByText('5260250274')).toBeVisible();

  // More entities from a CSV: a file with one bad row imports nothing; fixed, it imports every row.
  const csv = (nip: string) => ({ name: 'entities.csv', mimeType: 'text/csv', buffer: Buffer.from(`name,country,tax_id\nAcme Italia S.r.l.,IT,00743110157\nAcme Kraków,PL,${nip}\n`) });
  await page.goto('/dashboard');
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.getByLabel('CSV file').setInputFiles(csv('5260250274'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.getByRole('row', { name: /Acme Kraków/ })).toContainText('Acme Polska Sp. z o.o. already has the tax id 5260250274');
  await expect(page.getByText('2 rows, 1 with errors')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Import/ })).toHaveCount(0);
  await page.getByLabel('CSV file').setInputFiles(csv('7680002466'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.getByText('2 rows, all right.')).toBeVisible();
  await page.getByRole('button', { name: 'Import 2 entities' }).click();
  await expect(page.getByText('2 legal entities imported.')).toBeVisible();
  await page.goto('/dashboard');
  await expect(page.getByRole('link', { name: 'Acme Italia S.r.l.' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Acme Kraków' })).toBeVisible();

  // A credential for the first entity, through the credentials step-up.
  await page.getByRole('link', { name: 'Acme Polska Sp. z o.o.' }).click();
  await page.getByRole('link', { name: 'Add credential' }).click();
  await passGate(page, 'ACME_ADMIN');
  await page.getByLabel('Credential type').selectOption({ label: 'Webhook secret' });
  await page.getByRole('button', { name: 'Choose' }).click();
  await page.getByLabel('Label').fill('Inbound webhook');
  // Production with the only administrator: said at the field, before a secret is typed, with the ways out.
  await page.getByLabel('Environment').selectOption('PRODUCTION');
  const lone = page.getByRole('note').filter({ hasText: 'you are the only administrator' });
  await expect(lone).toBeVisible();
  await expect(lone.getByRole('link', { name: 'invite a second administrator' })).toHaveAttribute('href', '/admin/users');
  await expect(lone.getByRole('link', { name: 'turn four-eyes approval off' })).toHaveAttribute('href', '/admin/settings');
  await page.getByLabel('Environment').selectOption('SANDBOX');
  await expect(lone).toHaveCount(0);
  await page.getByLabel('Signing secret').fill('whsec-onboarding-test-value-1234567890');
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(fieldRow(page, /Signing secret/)).toContainText('Set · fingerprint');

  // The "users" step-up may have lapsed by now (30 s in these tests): answer it if asked.
  const thenMaybeStepUp = async (outcome: Locator) => {
    const stepUp = page.getByRole('heading', { name: 'Confirm it is you' });
    await expect(stepUp.or(outcome)).toBeVisible();
    if (await stepUp.isVisible()) await confirmStepUp(page, 'ACME_ADMIN');
    await expect(outcome).toBeVisible();
  };

  // A password reset for the operator: a link shown once; the new password signs them in again.
  await page.goto('/admin/users');
  await page.getByRole('button', { name: `Password reset link for ${OPERATOR.email}` }).click();
  await thenMaybeStepUp(page.locator('#reset-link'));
  const resetLink = new URL((await page.locator('#reset-link').textContent())!);
  await page.getByRole('button', { name: 'Done' }).click();
  await operator.goto(resetLink.pathname + resetLink.search);
  await operator.getByLabel('New password').fill('a newer operator passphrase');
  await operator.getByLabel('Repeat the password').fill('a newer operator passphrase');
  await operator.getByRole('button', { name: 'Set password' }).click();
  await expect(operator).toHaveURL(/\/dashboard$/);

  // Deactivate the operator: their open session is refused on its next request.
  await page.getByRole('button', { name: `Deactivate ${OPERATOR.email}` }).click();
  await page.getByRole('button', { name: `Confirm: deactivate ${OPERATOR.email}` }).click();
  await thenMaybeStepUp(page.getByText('Deactivated: their sessions have ended.'));
  await expect(page.getByRole('row', { name: new RegExp(OPERATOR.email) })).toContainText('Deactivated');
  await operator.reload();
  await expect(operator).toHaveURL(/\/sign-in$/);
  await operatorContext.close();
});
