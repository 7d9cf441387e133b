import Provider from 'oidc-provider';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { APPROVER_EMAIL, confirmStepUp, enrollTotp, expect, loginAs, loginWith, openNewCredentialForm, passGate, submitServiceAccount, test } from './fixtures';

// Four-eyes approval with two administrators in two browser contexts, and a staged rotation while a
// service keeps asking the API for tokens. The demo organization is new, so its policy is on.

/** The row of the change request that shows `text`. */
const requestRow = (page: Page, text: string | RegExp) => page.locator('tr[data-request-id]', { hasText: text });

/** Waits for `outcome`, answering the step-up prompt on the way if the grant has lapsed (it lives 30 s in these tests). */
async function throughStepUp(page: Page, account: string, outcome: Locator): Promise<void> {
  const stepUp = page.getByRole('heading', { name: 'Confirm it is you' });
  await expect(stepUp.or(outcome).first()).toBeVisible();
  if (await stepUp.isVisible()) await confirmStepUp(page, account);
  await expect(outcome).toBeVisible();
}

test('a production change waits for a second administrator; nobody approves their own; a stale request is refused', async ({ page, browser }) => {
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'API key');
  await page.getByLabel('Label').fill('ERP gateway');
  await page.getByLabel('Environment').selectOption('PRODUCTION');
  await expect(page.getByRole('note').filter({ hasText: 'another administrator approves this before it takes effect' })).toBeVisible();
  await page.getByLabel('API base URL').fill('https://gateway.example.ae');
  await page.getByRole('textbox', { name: 'API key' }).fill('erp-gateway-key-0123456789');
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByRole('status')).toContainText('Sent for approval: another administrator must approve it');
  await page.goto('/dashboard');
  await expect(page.getByRole('link', { name: 'ERP gateway' })).toHaveCount(0);

  // The requester sees it waiting, with Withdraw and no Approve.
  await page.goto('/approvals');
  const mine = requestRow(page, 'ERP gateway');
  await expect(mine).toContainText('Waiting for another administrator.');
  await expect(mine).toContainText('Create');
  await expect(mine.getByRole('button', { name: /^Approve/ })).toHaveCount(0);

  // The second administrator, in a browser of their own, sets up two-factor and approves it.
  const context = await browser.newContext();
  const second = await context.newPage();
  await loginWith(second, APPROVER_EMAIL);
  await enrollTotp(second, 'APPROVER');
  await second.getByRole('button', { name: 'I have saved them' }).click();
  await second.goto('/approvals');
  await expect(requestRow(second, 'ERP gateway')).toContainText('admin@demo.example');
  await requestRow(second, 'ERP gateway').getByRole('button', { name: /^Approve/ }).click();
  // The first approval asks for the approver's own code; the action then runs again.
  const [approvePost] = await Promise.all([
    second.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action']) && (r.postData() ?? '').includes('requestId')),
    confirmStepUp(second, 'APPROVER'),
  ]);
  const firstId = /"requestId":"([0-9a-f-]{36})"/.exec(approvePost.postData() ?? '')![1]!;
  await expect(second.getByRole('table', { name: /last decided/ })).toContainText('approved and applied');

  // Applied: the credential exists, its version 1 set by one and approved by the other.
  await page.goto('/dashboard');
  await page.getByRole('link', { name: 'ERP gateway' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('ERP gateway');
  const versions = page.getByRole('table', { name: /Versions of the secrets/ });
  await expect(versions).toContainText('admin@demo.example');
  await expect(versions).toContainText('approved by approver@demo.example');
  const credentialUrl = page.url();

  // Two changes asked for: a new label, and a new key.
  const edit = async (change: () => Promise<void>) => {
    await page.goto(`${credentialUrl}/edit`);
    await passGate(page);
    await change();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await throughStepUp(page, 'ADMIN', page.getByRole('status').filter({ hasText: 'Sent for approval' }));
  };
  await edit(async () => {
    await page.getByLabel('Label').fill('ERP gateway v2');
    await page.getByLabel('API base URL').fill('https://collector.example.net/v2');
  });
  await edit(async () => {
    await page.getByRole('button', { name: 'Replace API key' }).click();
    await page.getByRole('textbox', { name: 'API key' }).fill('erp-gateway-key-rotated-9876');
  });
  await page.goto('/approvals');
  const renameId = (await requestRow(page, 'ERP gateway v2').getAttribute('data-request-id'))!;

  // The requester calling the approve action directly, on their own request: refused by the server.
  const { cookie: _cookie, 'content-length': _length, ...headers } = approvePost.headers();
  const own = await page.context().request.post(approvePost.url(), { headers, data: (approvePost.postData() ?? '').replace(firstId, renameId) });
  expect(await own.text()).toContain('You made this request');
  await page.reload();
  await expect(requestRow(page, 'ERP gateway v2')).toContainText('Waiting for another administrator.');

  // The key change is approved first; the rename, made against the same version, is now stale.
  await second.goto('/approvals');
  // The approver sees each setting old → new, a changed host marked; secrets by fingerprint only.
  const redirect = requestRow(second, 'ERP gateway v2');
  await expect(redirect).toContainText('API base URL: https://gateway.example.ae → https://collector.example.net/v2');
  await expect(redirect.locator('mark')).toHaveText('Host changes from gateway.example.ae to collector.example.net');
  await expect(redirect).toContainText('asked while secrets version 1 was in use');
  await requestRow(second, /API key \(secret\): [0-9a-f]{8} → /).getByRole('button', { name: /^Approve/ }).click();
  await throughStepUp(second, 'APPROVER', second.getByRole('table', { name: /last decided/ }).getByText('Change settings and secrets'));
  await requestRow(second, 'ERP gateway v2').getByRole('button', { name: /^Approve/ }).click();
  await throughStepUp(second, 'APPROVER', second.getByText('The credential was changed after this request was made'));
  await second.reload();
  await expect(requestRow(second, 'ERP gateway v2')).toContainText('refused: the credential changed since');
  await page.goto(credentialUrl);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('ERP gateway');
  await expect(page.getByRole('heading', { level: 1 })).not.toContainText('v2');

  // The auditor's view: the approval in the filtered log, with both people.
  await page.goto(`/audit?action=change_request.approve&outcome=SUCCESS`);
  await expect(page.getByRole('table', { name: /Audit events/ })).toContainText('Approved and applied a change request');
  await expect(page.getByRole('table', { name: /Audit events/ })).toContainText('requested by admin@demo.example');
  await context.close();
});

test('a pending version is tested, promoted and rolled back while the service API keeps serving the current token', async ({ page, request }) => {
  // The provider in the middle of a secret rotation: old and new secret both work, each through a
  // real OAuth server (oidc-provider) of its own behind one loopback address.
  const secrets = ['rotation-old-secret-0123456789abcdef', 'rotation-new-secret-0123456789abcdef'];
  const issued = [0, 0];
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const providers = secrets.map((secret, i) => {
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'riyadh-erp', client_secret: secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'invoices' }],
      scopes: ['invoices'],
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
      ttl: { ClientCredentials: 3600 },
    });
    provider.on('client_credentials.saved', () => issued[i]!++);
    return provider;
  });
  server.on('request', (req, res) => {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const secret = decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[1] ?? '');
    void providers[Math.max(secrets.indexOf(secret), 0)]!.callback()(req, res);
  });
  try {
    await loginAs(page, 'ADMIN');
    await openNewCredentialForm(page, 'Riyadh Supplies Co.', 'OAuth2 client credentials');
    await page.getByLabel('Label').fill('Rotating OAuth');
    await page.getByLabel('Token endpoint').fill(`${issuer}/token`);
    await page.getByLabel('Client ID').fill('riyadh-erp');
    await page.getByLabel('Client secret').fill(secrets[0]!);
    await page.getByLabel('Scope').fill('invoices');
    await page.getByRole('button', { name: 'Create credential' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Rotating OAuth');
    const credentialUrl = page.url();
    const credentialId = new URL(credentialUrl).pathname.split('/').pop()!;

    await submitServiceAccount(page, { name: 'Rotation watcher', entity: 'Riyadh Supplies Co.' });
    await confirmStepUp(page);
    const key = (await page.locator('#new-api-key').textContent())!;
    const token = async () => {
      const response = await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status()).toBe(200);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const current = await token();
    expect(issued).toEqual([1, 0]);

    // New secret as a pending version: the API goes on serving the current token.
    await page.goto(credentialUrl);
    await page.getByRole('link', { name: 'Set pending secrets' }).click();
    await passGate(page);
    await expect(page.getByLabel('Client ID')).toHaveCount(0);
    await page.getByLabel('Client secret').fill(secrets[1]!);
    await page.getByRole('button', { name: 'Set as pending version' }).click();
    const versions = page.getByRole('table', { name: /Versions of the secrets/ });
    await throughStepUp(page, 'ADMIN', versions);
    await expect(versions.getByRole('row', { name: /^2 Pending/ })).toContainText('Not tested yet');
    expect(await token()).toBe(current);

    await page.getByRole('button', { name: 'Test pending version 2' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Pending version passed' })).toBeVisible();
    await expect(versions.getByRole('row', { name: /^2 Pending/ })).toContainText('Passed');
    expect(issued).toEqual([1, 1]);
    expect(await token()).toBe(current);

    // Promoting asks first, and says what becomes of the version in use.
    await page.getByRole('button', { name: 'Promote version 2…' }).click();
    await expect(page.getByRole('group', { name: 'Confirm' })).toContainText('Version 1 is kept as the previous version for 7 days');
    await page.getByRole('button', { name: 'Yes, promote version 2' }).click();
    await throughStepUp(page, 'ADMIN', page.getByRole('status').filter({ hasText: 'Promoted: version 2 is in use.' }));
    await expect(versions.getByRole('row', { name: /^2 In use/ })).toBeVisible();
    await expect(versions.getByRole('row', { name: /^1 Previous/ })).toContainText('restorable until');
    await expect(page.locator('dl.facts')).toContainText('Version 2');
    const promoted = await token();
    expect(promoted).not.toBe(current);
    expect(issued).toEqual([1, 2]);

    // Going back keeps the version it leaves, so it can be undone.
    await page.getByRole('button', { name: 'Go back to version 1…' }).click();
    await expect(page.getByRole('group', { name: 'Confirm' })).toContainText('Version 2 is kept as the previous version for 7 days');
    await page.getByRole('button', { name: 'Yes, go back to version 1' }).click();
    await throughStepUp(page, 'ADMIN', page.getByRole('status').filter({ hasText: 'Version 1 is in use again.' }));
    await expect(versions.getByRole('row', { name: /^1 In use/ })).toBeVisible();
    await expect(versions.getByRole('row', { name: /^2 Previous/ })).toContainText('restorable until');
    const restored = await token();
    expect([current, promoted]).not.toContain(restored);
    expect(issued).toEqual([2, 2]);
    await expect(page.getByRole('button', { name: 'Go back to version 2…' })).toBeVisible();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a deleted credential is listed with who deleted it, and restored from the Deleted view', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Riyadh Supplies Co.', 'Webhook secret');
  await page.getByLabel('Label').fill('Short-lived hook');
  await page.getByLabel('Signing secret').fill('whsec-short-lived-0123456789');
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Short-lived hook');
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByText(/Deleted on .* by admin@demo\.example/)).toBeVisible();

  await page.getByRole('link', { name: 'Deleted', exact: true }).click();
  const row = page.getByRole('row', { name: /Short-lived hook/ });
  await expect(row).toContainText('by admin@demo.example');
  await row.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByRole('row', { name: /Short-lived hook/ })).toHaveCount(0);
  await page.goto('/dashboard');
  await expect(page.getByRole('link', { name: 'Short-lived hook' })).toBeVisible();
});

test('turning four-eyes approval off takes a code and a second administrator, and lands in the audit log with what it was', async ({ page, browser }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/admin/settings');
  const policy = page.getByRole('region', { name: 'Four-eyes approval' });
  await policy.getByLabel('A request expires after (hours)').fill('0');
  await policy.getByRole('button', { name: 'Save approval policy' }).click();
  await throughStepUp(page, 'ADMIN', page.locator('#approval-hours-error'));
  await expect(page.locator('#approval-hours-error')).toHaveText('At least 1 hour');

  await page.getByLabel('A request expires after (hours)').fill('48');
  await page.getByLabel('Production changes need a second administrator').uncheck();
  await page.getByRole('button', { name: 'Save approval policy' }).click();
  await throughStepUp(page, 'ADMIN', page.getByRole('status').filter({ hasText: /needs a second administrator/ }));
  // The requester cannot approve it; the second administrator does.
  await page.goto('/approvals');
  await expect(requestRow(page, 'Turn four-eyes approval off').getByRole('button', { name: /^Approve/ })).toHaveCount(0);
  const context = await browser.newContext();
  try {
    const second = await context.newPage();
    await loginWith(second, APPROVER_EMAIL);
    await second.goto('/approvals');
    await requestRow(second, 'Turn four-eyes approval off').getByRole('button', { name: /^Approve/ }).click();
    await throughStepUp(second, 'APPROVER', second.getByRole('table', { name: /last decided/ }).getByText('Turn four-eyes approval off').first());
  } finally {
    await context.close();
  }
  await page.goto('/admin/settings');
  await expect(page.getByLabel('Production changes need a second administrator')).not.toBeChecked();
  await expect(page.getByLabel('A request expires after (hours)')).toHaveValue('48');
  await page.goto('/audit?action=organization.approval_policy');
  await expect(page.getByRole('table', { name: /Audit events/ }).locator('tbody tr')).toHaveCount(2);
  await expect(page.getByRole('table', { name: /Audit events/ })).toContainText('refused: invalid input');

  // Back on, for the tests that follow.
  await page.goto('/admin/settings');
  await page.getByLabel('Production changes need a second administrator').check();
  await page.getByLabel('A request expires after (hours)').fill('72');
  await page.getByRole('button', { name: 'Save approval policy' }).click();
  await throughStepUp(page, 'ADMIN', page.getByRole('status').filter({ hasText: 'Saved.' }));
});

test('inviting an administrator waits for the second one, whose approval issues the link to them, not to the requester', async ({ page, browser }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/admin/users');
  await page.getByLabel('Email', { exact: true }).fill('new-admin@demo.example');
  await page.getByLabel('Role', { exact: true }).selectOption('ADMIN');
  await page.getByRole('button', { name: 'Invite' }).click();
  await throughStepUp(page, 'ADMIN', page.getByRole('status').filter({ hasText: /needs a second administrator/ }));
  await expect(page.locator('#invite-link')).toHaveCount(0);
  await expect(page.getByRole('row', { name: /new-admin@demo\.example/ })).toHaveCount(0);

  const context = await browser.newContext();
  try {
    const second = await context.newPage();
    await loginWith(second, APPROVER_EMAIL);
    await second.goto('/approvals');
    const row = requestRow(second, 'Invite new-admin@demo.example as administrator');
    await expect(row).toContainText('Make an administrator');
    await row.getByRole('button', { name: /^Approve/ }).click();
    const link = second.locator('[id^="invitation-"]');
    await throughStepUp(second, 'APPROVER', link);
    await expect(link).toHaveText(/\/invite\?token=[A-Za-z0-9_-]{43}$/);
    await expect(second.getByRole('status').filter({ hasText: 'issued by you' })).toBeVisible();
  } finally {
    await context.close();
  }
  // The requester sees the invitation listed, issued by the approver.
  await page.goto('/admin/users');
  await expect(page.getByRole('row', { name: /new-admin@demo\.example/ })).toContainText('Invited, link valid until');
});
