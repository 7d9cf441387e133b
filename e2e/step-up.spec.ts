import type { APIRequestContext, Page, Request } from '@playwright/test';
import { confirmStepUp, enrollTotp, expect, loginAs, passGate, replayResponse, submitServiceAccount, test, totpFor } from './fixtures';

/**
 * Submits the configuration form of the sandbox slot "MyInvois pre-production" (a sandbox change
 * applies at once; production ones wait for a second administrator) and returns the server
 * action's POST as sent.
 */
async function configureSandboxCredential(page: Page): Promise<Request> {
  await page.getByRole('link', { name: 'MyInvois pre-production' }).click();
  await page.getByRole('link', { name: 'Configure' }).click();
  await passGate(page);
  await page.getByLabel('Client secret').fill('s3cret-myinvois-client-value');
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action'])),
    page.getByRole('button', { name: 'Save changes' }).click(),
  ]);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('MyInvois pre-production');
  return request;
}

/** Sends the captured action POST again, with the cookies of `api`'s browser context. */
async function replay(api: APIRequestContext, request: Request): Promise<string> {
  return (await replayResponse(api, request)).text();
}

test('a server action replayed without a grant, from another session, or with a stale grant is refused', async ({ page, browser }) => {
  await loginAs(page, 'ADMIN');
  const request = await configureSandboxCredential(page);
  // Configured once: its secrets are version 1 (no replay below may make a version 2).
  const version = page.getByRole('definition').filter({ hasText: /^Version \d+/ });
  await expect(version).toHaveText('Version 1');

  // Control: the same session, grant still valid: the replay reaches the operation, which refuses
  // the stale version (check-and-set). So the refusals below come from the gate, not the replay.
  expect(await replay(page.context().request, request)).toContain('CONFLICT');

  // Another session of the same admin: no grant there.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await loginAs(otherPage, 'ADMIN');
  const fromOtherSession = await replay(other.request, request);
  expect(fromOtherSession).toContain('STEP_UP_REQUIRED');
  expect(fromOtherSession).not.toContain('CONFLICT');

  // A viewer's session: refused before any step-up question.
  const viewer = await browser.newContext();
  await loginAs(await viewer.newPage(), 'VIEWER');
  const fromViewer = await replayResponse(viewer.request, request);
  expect(fromViewer.status()).toBe(403);
  expect(await fromViewer.text()).not.toContain('CONFLICT');

  // The original session once its 30-second grant has lapsed.
  await page.waitForTimeout(31_000);
  const stale = await replay(page.context().request, request);
  expect(stale).toContain('STEP_UP_REQUIRED');

  await page.reload();
  await expect(version).toHaveText('Version 1');
  await Promise.all([other.close(), viewer.close()]);
});

test('an operator: replayed code refused, recovery code works once, wrong codes lock until an admin unlocks', async ({ page, browser }) => {
  await loginAs(page, 'OPERATOR');
  const recoveryCodes = await enrollTotp(page, 'OPERATOR');
  await page.getByRole('button', { name: 'I have saved them' }).click();

  const stepUp = async (code: string) => {
    await page.goto('/step-up?purpose=credentials&next=/dashboard');
    await page.getByLabel('Authentication code').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
  };
  const codeError = page.locator('#step-up-code-error');

  const code = await totpFor('OPERATOR');
  await stepUp(`${code.slice(0, 3)} ${code.slice(3)}`);
  await expect(page).toHaveURL((url) => url.pathname === '/dashboard'); // (the step-up page's own address ends in next=/dashboard)
  await stepUp(code);
  await expect(codeError).toHaveText('That code was already used. Wait for the next code from your app.');

  await stepUp(recoveryCodes[0]!);
  await expect(page).toHaveURL((url) => url.pathname === '/dashboard'); // (the step-up page's own address ends in next=/dashboard)
  await stepUp(recoveryCodes[0]!);
  await expect(codeError).toHaveText('That recovery code is not valid or was already used.');

  await stepUp('12345');
  await expect(codeError).toHaveText('Enter the 6 digits from your authenticator app, or a recovery code');
  for (const wrong of ['000000', '111111', '222222', '333333']) {
    await stepUp(wrong);
    await expect(codeError).toHaveText('That code is not right, or has expired. Enter the current code from your app.');
  }
  await stepUp(await totpFor('OPERATOR'));
  await expect(page.locator('#step-up-error')).toContainText('Too many wrong codes. Try again in 15 minutes, or ask an administrator to unlock your account.');

  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await loginAs(adminPage, 'ADMIN');
  await adminPage.goto('/admin/users');
  // The admin has no button for their own lock, and unlocking someone else takes the admin's own code.
  await expect(adminPage.getByRole('button', { name: 'Unlock two-factor for admin@demo.example' })).toHaveCount(0);
  await adminPage.getByRole('button', { name: 'Unlock two-factor for operator@demo.example' }).click();
  await confirmStepUp(adminPage);
  await expect(adminPage.getByRole('status').filter({ hasText: 'Unlocked.' })).toBeVisible();
  await admin.close();

  await stepUp(await totpFor('OPERATOR'));
  await expect(page).toHaveURL((url) => url.pathname === '/dashboard'); // (the step-up page's own address ends in next=/dashboard)
});

test('one code opens every credential change for a working window; service-account keys ask again', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await page.getByRole('link', { name: 'Gulf Trading FZ-LLC' }).click();
  await page.getByRole('link', { name: 'Add credential' }).click();
  await expect(page).toHaveURL(/\/step-up\?purpose=credentials/);
  await confirmStepUp(page);
  await expect(page.getByLabel('Credential type')).toBeVisible();
  // Another credential's form: the same window, no second code.
  await page.goto('/dashboard');
  await page.getByRole('link', { name: 'MyInvois pre-production' }).click();
  await page.getByRole('link', { name: /Configure|Edit/ }).first().click();
  await expect(page.getByRole('button', { name: 'Save changes' })).toBeVisible();
  // Service-account keys are a purpose of their own: asked again.
  await submitServiceAccount(page, { name: 'Window check', entity: 'Gulf Trading FZ-LLC' });
  await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
});
