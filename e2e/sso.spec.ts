import Provider from 'oidc-provider';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { APPROVER_EMAIL, confirmStepUp, enrollTotp, expect, hasAuthenticator, loginAs, loginWith, test } from './fixtures';

// The company's identity provider: oidc-provider on loopback, with its own login and consent pages.
// Accounts are named by the login typed there; each has the claims below.
const CLIENT_SECRET = 'sso-client-secret-0123456789abcdef';
const ACCOUNTS: Record<string, Record<string, unknown>> = {
  viewer: { email: 'viewer@demo.example', email_verified: true, name: 'Vera Viewer (IdP)', groups: ['staff'] },
  unverified: { email: 'operator@demo.example', email_verified: false, name: 'Not Verified' },
  stranger: { email: 'eve@elsewhere.example', email_verified: true, name: 'Eve' },
  nora: { email: 'nora@jit.example', email_verified: true, name: 'Nora Newcomer', groups: ['internal-audit'] },
  ines: { email: 'ines@partner.example', email_verified: true, name: 'Ines Invited' },
};

let server: Server;
let issuer: string;
const logoutTokensPosted: number[] = [];
const logoutErrors: string[] = [];

// The tests build on each other: the first sets single sign-on up.
test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ baseURL }) => {
  server = createServer();
  // A fixed port beside the app's: a worker that restarts brings the provider back at the issuer saved.
  await new Promise<void>((resolve) => server.listen(Number(new URL(baseURL!).port) + 5, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'strongroom',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${baseURL}/api/auth/callback/sso-demo`],
        // By address: Node's fetch tries only the first of localhost's addresses (::1), where the app does not listen.
        backchannel_logout_uri: `${baseURL!.replace('localhost', '127.0.0.1')}/api/sso/demo/backchannel-logout`,
        backchannel_logout_session_required: true,
      },
    ],
    async findAccount(_context, id) {
      const claims = ACCOUNTS[id];
      return claims ? { accountId: id, claims: async () => ({ sub: `idp-${id}`, ...claims }) } : undefined;
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, backchannelLogout: { enabled: true } },
    // oidc-provider refuses to call loopback addresses (its own SSRF guard); here the app is on loopback.
    fetch: (url, options) => globalThis.fetch(url, { ...options, dispatcher: undefined } as RequestInit),
  });
  provider.on('backchannel.success', () => logoutTokensPosted.push(Date.now()));
  provider.on('backchannel.error', (_context, error: Error) => logoutErrors.push(error.message));
  server.on('request', provider.callback());
});
test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Starts single sign-on for the demo organization and signs in at the provider as `login`. */
async function signInThroughProvider(page: Page, login: string) {
  await page.goto('/sign-in?organization=demo');
  await page.getByRole('button', { name: 'Continue with single sign-on' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // The provider may ask for consent first; either way the browser comes back to Strongroom.
  const consent = page.getByRole('button', { name: 'Continue' });
  const back = page.waitForURL((url) => url.origin !== issuer);
  await Promise.race([back, consent.waitFor().then(() => consent.click(), () => undefined)]);
  await back;
}

test('an administrator sets up single sign-on, a second one approves it; a matched user gets in, refused ones are told why, a listed domain gets an account', async ({ page, browser }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/admin/sign-in');
  await expect(page.getByRole('status').filter({ hasText: 'Not set up' })).toBeVisible();
  // A wrong issuer is refused at its field, nothing saved.
  await page.getByLabel('Issuer URL').fill(`${issuer}/not-here`);
  await page.getByLabel('Client id').fill('strongroom');
  await page.getByLabel('Client secret').fill(CLIENT_SECRET);
  await page.getByRole('button', { name: 'Save single sign-on' }).click();
  await confirmStepUp(page);
  await expect(page.locator('#sso-issuer-error')).toContainText('answered 404');
  await page.getByLabel('Issuer URL').fill(issuer);
  await page.getByLabel('Create accounts at first sign-in for these email domains').fill('jit.example');
  await page.getByLabel('Groups claim').fill('groups');
  await page.getByLabel('Group → role').fill('internal-audit = AUDITOR');
  await page.getByRole('button', { name: 'Save single sign-on' }).click();
  // The demo has a second administrator and four-eyes on: who sets the provider decides who can sign in as whom.
  await expect(page.getByRole('status').filter({ hasText: 'needs a second administrator' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'Not set up' })).toBeVisible();
  const approver = await (await browser.newContext()).newPage();
  await loginWith(approver, APPROVER_EMAIL);
  if (!hasAuthenticator('APPROVER')) await enrollTotp(approver, 'APPROVER');
  await approver.goto('/approvals');
  const request = approver.locator('tr[data-request-id]', { hasText: `Sign in through ${issuer}` });
  await expect(request).toContainText('Change single sign-on');
  await request.getByRole('button', { name: /^Approve/ }).click();
  const stepUp = approver.getByRole('heading', { name: 'Confirm it is you' });
  const decided = approver.getByRole('table', { name: /last decided/ }).getByText('Change single sign-on').first();
  await expect(stepUp.or(decided).first()).toBeVisible();
  if (await stepUp.isVisible()) await confirmStepUp(approver, 'APPROVER');
  await expect(decided).toBeVisible();
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: `Configured: ${issuer}, client strongroom, client secret` })).toBeVisible();
  // The secret never comes back to the page.
  expect(await page.content()).not.toContain(CLIENT_SECRET);

  const visitor = await (await browser.newContext()).newPage();
  await signInThroughProvider(visitor, 'viewer');
  await expect(visitor).toHaveURL(/\/dashboard$/);
  await expect(visitor.locator('.who-name')).toHaveAttribute('title', /\(viewer@demo\.example\)/);

  for (const [login, message] of [
    ['unverified', 'has not verified your email address'],
    ['stranger', 'There is no Strongroom account for this email address'],
  ] as const) {
    const refused = await (await browser.newContext()).newPage();
    await signInThroughProvider(refused, login);
    await expect(refused).toHaveURL(/\/sign-in\?error=sso&reason=/);
    await expect(refused.getByRole('alert').filter({ hasText: message })).toBeVisible();
  }

  const newcomer = await (await browser.newContext()).newPage();
  await signInThroughProvider(newcomer, 'nora');
  await expect(newcomer).toHaveURL(/\/dashboard$/);
  await newcomer.goto('/audit');
  // The group gave the Auditor role: the audit log opens.
  await expect(newcomer.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  // No password here: the provider sign-in a moment ago stands in for it when setting up two-factor.
  await newcomer.goto('/settings/security');
  await expect(newcomer.getByText('None: your account signs in through your identity provider')).toBeVisible();
  await newcomer.getByRole('button', { name: 'Set up two-factor' }).click();
  await expect(newcomer.locator('#totp-key')).toBeVisible();

  await page.goto('/audit?action=auth.sign_in');
  await expect(page.getByRole('row', { name: /eve@elsewhere\.example.*no_account/ }).first()).toBeVisible();
});

test('an invited address gets its account through the provider with the invited role; deactivated in Strongroom, it is refused there', async ({ page, browser }) => {
  await loginAs(page, 'ADMIN');
  const thenMaybeStepUp = async (outcome: Locator) => {
    const stepUp = page.getByRole('heading', { name: 'Confirm it is you' });
    await expect(stepUp.or(outcome).first()).toBeVisible();
    if (await stepUp.isVisible()) await confirmStepUp(page);
    await expect(outcome).toBeVisible();
  };
  await page.goto('/admin/users');
  await page.getByLabel('Email', { exact: true }).fill('ines@partner.example');
  await page.getByLabel('Role', { exact: true }).selectOption('OPERATOR');
  await page.getByRole('button', { name: 'Invite' }).click();
  await thenMaybeStepUp(page.locator('#invite-link'));
  await page.getByRole('button', { name: 'Done' }).click();

  // She never opens the link: the provider vouches for the invited address.
  const ines = await (await browser.newContext()).newPage();
  await signInThroughProvider(ines, 'ines');
  await expect(ines).toHaveURL(/\/dashboard$/);
  await expect(ines.getByText('Ines Invited · operator')).toBeVisible();

  await page.goto('/admin/users');
  await page.getByRole('button', { name: 'Deactivate ines@partner.example' }).click();
  await page.getByRole('button', { name: 'Confirm: deactivate ines@partner.example' }).click();
  await thenMaybeStepUp(page.getByText('Deactivated: their sessions have ended.'));
  await ines.reload();
  await expect(ines).toHaveURL(/\/sign-in/);

  // Still signed in at the provider (it answers at once), and refused here.
  await ines.goto('/sign-in?organization=demo');
  await ines.getByRole('button', { name: 'Continue with single sign-on' }).click();
  await expect(ines).toHaveURL(/\/sign-in\?error=sso&reason=/);
  await expect(ines.getByRole('alert').filter({ hasText: 'This account is deactivated in Strongroom' })).toBeVisible();
});

test('a state the provider never issued is refused on the sign-in page, nobody in', async ({ page }) => {
  await page.goto('/api/auth/callback/sso-demo?code=forged&state=forged');
  await expect(page).toHaveURL(/\/sign-in\?/);
  await expect(page.getByRole('alert').filter({ hasText: 'could not be verified' })).toBeVisible();
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('signing out at the provider ends the Strongroom session through back-channel logout', async ({ page }) => {
  await signInThroughProvider(page, 'viewer');
  await expect(page).toHaveURL(/\/dashboard$/);
  const posted = logoutTokensPosted.length;
  await page.goto(`${issuer}/session/end`);
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await expect.poll(() => logoutTokensPosted.length, { message: `the provider's back-channel calls failed: ${logoutErrors.join('; ')}` }).toBeGreaterThan(posted);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('SSO only refuses a password to everyone but a break-glass administrator', async ({ page, browser }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/admin/sign-in');
  await page.getByRole('button', { name: 'Require single sign-on' }).click();
  await confirmStepUp(page);
  await expect(page.getByRole('alert').filter({ hasText: 'Mark at least one administrator' })).toBeVisible();
  await page.getByRole('button', { name: 'Make admin@demo.example break-glass' }).click();
  await expect(page.getByRole('button', { name: 'Remove break-glass from admin@demo.example' })).toBeVisible();
  await page.getByRole('button', { name: 'Require single sign-on' }).click();
  await expect(page.getByRole('button', { name: 'Allow passwords again' })).toBeVisible();
  try {
    const viewer = await (await browser.newContext()).newPage();
    await viewer.goto('/sign-in?organization=demo');
    await expect(viewer.getByRole('note')).toContainText('signs in through its identity provider only');
    await viewer.getByLabel('Email').fill('viewer@demo.example');
    await viewer.getByLabel('Password', { exact: true }).fill(process.env.E2E_DEMO_PASSWORD!);
    await viewer.getByRole('button', { name: 'Sign in' }).click();
    await expect(viewer.getByRole('alert').filter({ hasText: 'Your organization signs in through its identity provider' })).toBeVisible();
    const admin = await (await browser.newContext()).newPage();
    await loginAs(admin, 'ADMIN');
  } finally {
    await page.getByRole('button', { name: 'Allow passwords again' }).click();
    await expect(page.getByRole('button', { name: 'Require single sign-on' })).toBeVisible();
  }
});
