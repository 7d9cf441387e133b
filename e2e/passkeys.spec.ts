import type { Locator, Page, Request } from '@playwright/test';
import { APPROVER_EMAIL, confirmStepUp, enrollTotp, expect, hasAuthenticator, loginAs, loginWith, replayResponse, test } from './fixtures';

// The demo's second administrator registers passkeys here, so the first one's step-ups elsewhere
// keep their authenticator code. Chromium's virtual authenticator (the DevTools protocol's WebAuthn
// domain) plays the device: it verifies the user (a PIN or fingerprint) and answers at once.
test.describe.configure({ mode: 'serial' });

async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
}

/** Clicks "Use a passkey" on a step-up prompt; returns the server action's POST with the passkey's answer. */
async function confirmWithPasskey(page: Page): Promise<Request> {
  await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action']) && (r.postData() ?? '').includes('clientDataJSON')),
    page.getByRole('button', { name: 'Use a passkey' }).click(),
  ]);
  return request;
}

/** After a click that may ask for a step-up: answers it with the passkey, then waits for `done`. */
async function passkeyIfAsked(page: Page, done: Locator): Promise<void> {
  const stepUp = page.getByRole('heading', { name: 'Confirm it is you' });
  await expect(stepUp.or(done).first()).toBeVisible();
  if (await stepUp.isVisible()) await confirmWithPasskey(page);
  await expect(done).toBeVisible();
}

let approver: Page;
/** An answer that signed in the approver's step-up once. */
let usedAnswer: Request;

test.beforeAll(async ({ browser }) => {
  approver = await (await browser.newContext()).newPage();
  await loginWith(approver, APPROVER_EMAIL);
  if (!hasAuthenticator('APPROVER')) await enrollTotp(approver, 'APPROVER');
  await addVirtualAuthenticator(approver);
});

test('a passkey is added on the Security page after a code, named, and then confirms a change', async () => {
  await approver.goto('/settings/security');
  const passkeys = approver.getByRole('region', { name: 'Passkeys' });
  await expect(passkeys).toContainText('No passkeys yet');
  await passkeys.getByLabel('Name of the new passkey').fill('Test laptop');
  await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
  // Adding one opens with the authenticator code (there is no passkey yet to confirm with).
  await expect(passkeys.getByText(/add or remove your passkeys/)).toBeVisible();
  await confirmStepUp(approver, 'APPROVER');
  await expect(passkeys.getByRole('table', { name: 'Your passkeys' }).getByRole('row', { name: /Test laptop/ })).toContainText('never');

  // A step-up with it: the users page's purpose, from the step-up page.
  await approver.goto('/step-up?purpose=users&next=/admin/users');
  await expect(approver.getByText('Use your passkey, or enter the current code')).toBeVisible();
  usedAnswer = await confirmWithPasskey(approver);
  // The pathname: the step-up page's own address ends in next=/admin/users.
  await expect(approver).toHaveURL((url) => url.pathname === '/admin/users');
  await approver.goto('/settings/security');
  await expect(approver.getByRole('row', { name: /Test laptop/ })).not.toContainText('never');
});

test('the same answer sent again is refused, and another user cannot use it', async ({ browser }) => {
  const again = await (await replayResponse(approver.context().request, usedAnswer)).text();
  expect(again).toContain('expired or was already used');

  const admin = await (await browser.newContext()).newPage();
  await loginAs(admin, 'ADMIN');
  const fromAdmin = await (await replayResponse(admin.context().request, usedAnswer)).text();
  expect(fromAdmin).toContain('not registered to your account');
  await admin.context().close();
});

test('an organization can require passkeys for administrators; the code field then takes recovery codes only', async () => {
  await approver.goto('/admin/sign-in');
  const panel = approver.getByRole('region', { name: 'Passkeys for administrators' });
  await expect(panel).toContainText(/\d+ of \d+ administrators have a passkey; without one: .*admin@demo\.example/);
  await panel.getByRole('button', { name: 'Require passkeys for administrators' }).click();
  await passkeyIfAsked(approver, panel.getByText(/^On: administrators confirm changes with a passkey/));

  await approver.goto('/step-up?purpose=webhooks&next=/admin/webhooks');
  await expect(approver.getByText('your organization asks administrators to confirm with one')).toBeVisible();
  await approver.getByLabel('Recovery code').fill('123456');
  await approver.getByRole('button', { name: 'Confirm' }).click();
  await expect(approver.getByText(/Your organization asks administrators to confirm with a passkey/).first()).toBeVisible();

  // Off again (the first administrator has no passkey, and the other specs confirm with codes).
  await approver.goto('/admin/sign-in');
  await panel.getByRole('button', { name: 'Accept authenticator codes from administrators again' }).click();
  await passkeyIfAsked(approver, panel.getByText(/^Off: administrators confirm/));
});

test('a removed passkey is refused, even with an answer made before it was removed', async () => {
  // An answer to a fresh challenge, held back from the server.
  await approver.goto('/step-up?purpose=webhooks&next=/admin/webhooks');
  let held: Request | undefined;
  await approver.route('**/step-up**', async (route) => {
    if (route.request().method() === 'POST' && (route.request().postData() ?? '').includes('clientDataJSON')) {
      held = route.request();
      return route.abort();
    }
    return route.continue();
  });
  await approver.getByRole('button', { name: 'Use a passkey' }).click();
  await expect.poll(() => held).toBeDefined();
  await approver.unrouteAll();

  await approver.goto('/settings/security');
  await approver.getByRole('button', { name: 'Remove Test laptop' }).click();
  await passkeyIfAsked(approver, approver.getByText(/^No passkeys yet/));

  expect(await (await replayResponse(approver.context().request, held!)).text()).toContain('not registered to your account');
  await approver.goto('/step-up?purpose=webhooks&next=/admin/webhooks');
  await expect(approver.getByLabel('Authentication code')).toBeVisible();
  await expect(approver.getByRole('button', { name: 'Use a passkey' })).toHaveCount(0);
});
