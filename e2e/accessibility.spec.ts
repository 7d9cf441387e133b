import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { confirmStepUp, expect, loginAs, passGate, submitServiceAccount, test } from './fixtures';

/** axe-core's WCAG 2.1 A/AA rules on the page as it is now; any violation fails with its rule and target. */
async function expectNoViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(violations.map((v) => `${new URL(page.url()).pathname}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('every page an admin visits passes axe-core', async ({ page }) => {
  await page.goto('/sign-in');
  await expectNoViolations(page);
  await loginAs(page, 'ADMIN');
  await expectNoViolations(page);

  await page.getByRole('link', { name: 'Gulf Trading FZ-LLC' }).click();
  await expect(page.getByRole('link', { name: 'Add credential' })).toBeVisible();
  await expectNoViolations(page);

  await page.getByRole('link', { name: 'Add credential' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Confirm it is you' })).toBeVisible();
  await expect(page.getByLabel('Authentication code')).toBeFocused();
  await expectNoViolations(page);
  await passGate(page);
  await expectNoViolations(page);

  await page.getByLabel('Credential type').selectOption({ label: 'Webhook secret' });
  await page.getByRole('button', { name: 'Choose' }).click();
  await page.getByLabel('Label').fill('Accessible webhook');
  await page.getByLabel('Signing secret').fill('whsec-accessibility-0123456789');
  await expectNoViolations(page);
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Accessible webhook');
  await expectNoViolations(page);
  await page.getByRole('link', { name: 'Edit or replace secrets' }).click();
  await passGate(page);
  await page.getByRole('button', { name: 'Replace Signing secret' }).click();
  await expect(page.getByLabel('Signing secret')).toBeFocused();
  await expectNoViolations(page);

  await page.goto(page.url().replace(/\/edit$/, ''));
  await page.getByRole('link', { name: 'Set pending secrets' }).click();
  await passGate(page);
  await expectNoViolations(page);

  // ZATCA onboarding of the demo's EGS unit (a draft): the page behind its own step-up.
  await page.goto('/dashboard');
  await page.getByRole('link', { name: 'Riyadh Supplies Co.' }).click();
  await page.getByRole('link', { name: 'EGS unit 1' }).click();
  await page.getByRole('link', { name: 'Onboard or renew with ZATCA' }).click();
  const zatca = page.getByRole('heading', { level: 1, name: /ZATCA onboarding/ });
  const stepUp = page.getByRole('heading', { name: 'Confirm it is you' });
  await expect(zatca.or(stepUp)).toBeVisible();
  if (await stepUp.isVisible()) await confirmStepUp(page);
  await expect(page.getByLabel('OTP from the Fatoora portal')).toBeVisible();
  await expectNoViolations(page);

  for (const path of ['/audit', '/audit?outcome=DENIED', '/approvals', '/credentials/deleted', '/expiring', '/admin/users', '/admin/service-accounts', '/admin/scheduler', '/admin/keys', '/admin/settings', '/admin/webhooks', '/settings/security', '/entities/new', '/entities/import', '/credentials/00000000-0000-4000-8000-000000000000']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByRole('main')).toHaveCount(1);
    await expectNoViolations(page);
  }
});

test('a viewer’s refused page and a security page without two-factor pass axe-core', async ({ page }) => {
  await loginAs(page, 'VIEWER');
  const refused = await page.goto('/admin/users');
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole('main')).toHaveCount(1);
  await expectNoViolations(page);
  await page.goto('/settings/security');
  await expect(page.getByRole('button', { name: 'Set up two-factor' })).toBeVisible();
  await expectNoViolations(page);
});

test('an in-place step-up puts the cursor in the code field', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await submitServiceAccount(page, { name: 'Focus check', entity: 'Gulf Trading FZ-LLC' });
  await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
  await expect(page.getByLabel('Authentication code')).toBeFocused();
  await expectNoViolations(page);
  await confirmStepUp(page);
  await expect(page.locator('#new-api-key')).toBeVisible();
});

test('the pages of single-use links pass axe-core, with a link that is not valid too', async ({ page }) => {
  for (const path of ['/invite', `/invite?token=${'A'.repeat(43)}`, '/reset-password']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: /not valid/ })).toBeVisible();
    await expectNoViolations(page);
  }
});
