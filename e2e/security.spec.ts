import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_DATA_DIR, E2E_SERVER_LOG } from '../playwright.config';
import { confirmStepUp, demoPassword, enrollTotp, expect, loginAs, oathtool, openNewCredentialForm, passGate, replayResponse, submitServiceAccount, test, totpFor, totpKey } from './fixtures';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('signing out ends the session on the server: a copied cookie opens no page and replays no action', async ({ page, browser }) => {
  await loginAs(page, 'ADMIN');
  await page.getByRole('link', { name: 'ASP sandbox' }).click();
  await page.getByRole('link', { name: /Configure|Edit/ }).click();
  await passGate(page);
  await page.getByLabel('API key').fill(`asp-key-${randomBytes(8).toString('hex')}`);
  const [save] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && Boolean(r.headers()['next-action'])),
    page.getByRole('button', { name: 'Save changes' }).click(),
  ]);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('ASP sandbox');
  const credentialUrl = page.url();
  // Control: while signed in, the replay reaches the operation (which refuses the stale version).
  expect(await (await replayResponse(page.context().request, save)).text()).toContain('CONFLICT');
  expect(await (await page.context().request.get('/api/auth/session')).json()).toMatchObject({ userId: expect.any(String) });

  const copied = await page.context().storageState();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  const thief = await browser.newContext({ storageState: copied });
  try {
    const thiefPage = await thief.newPage();
    await thiefPage.goto(credentialUrl);
    await expect(thiefPage).toHaveURL(/\/sign-in$/);
    const replayed = await (await replayResponse(thief.request, save)).text();
    expect(replayed).not.toContain('CONFLICT');
    // next-auth's own session route says nothing of the ended session either.
    expect(await (await thief.request.get('/api/auth/session')).json()).toEqual({});
  } finally {
    await thief.close();
  }
});

for (const next of ['/%09/evil.example/phish', '/.//evil.example/x']) {
  test(`after a step-up, the return path ${next} never leaves the site`, async ({ page, baseURL }) => {
    await loginAs(page, 'ADMIN');
    await page.goto(`/step-up?purpose=credentials&next=${next}`);
    await confirmStepUp(page);
    await page.waitForURL((url) => url.pathname === '/dashboard');
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  });
}

test('replacing the authenticator shows a new key; after confirming it the old one opens nothing', async ({ page }) => {
  await loginAs(page, 'AUDITOR');
  await enrollTotp(page, 'AUDITOR');
  await page.getByRole('button', { name: 'I have saved them' }).click();
  const oldKey = totpKey('AUDITOR');

  await page.getByLabel('Password', { exact: true }).fill(demoPassword());
  await page.getByLabel('Current code or recovery code').fill(await totpFor('AUDITOR'));
  await page.getByRole('button', { name: 'Replace authenticator' }).click();
  await expect(page.getByText('Your current authenticator keeps working until you confirm the new one.')).toBeVisible();
  const newKey = (await page.locator('#totp-key').textContent())!.replace(/\s/g, '');
  expect(newKey).not.toBe(oldKey);
  await enrollTotp(page, 'AUDITOR');
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByText(/On since .*\. 10 of 10 recovery codes left\./)).toBeVisible();

  await page.goto('/step-up?purpose=credentials&next=/dashboard');
  await page.getByLabel('Authentication code').fill(oathtool(oldKey, Math.floor(Date.now() / 1000)));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('#step-up-code-error')).toHaveText('That code is not right, or has expired. Enter the current code from your app.');
  await page.getByLabel('Authentication code').fill(await totpFor('AUDITOR'));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test.describe('a token endpoint that echoes the client secret', () => {
  let server: Server;
  let tokenUrl = '';
  let calls = 0;
  const secret = `CANARY${randomBytes(12).toString('hex')}+/=x`;
  const spellings = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), Buffer.from(secret).toString('base64')];

  test.beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const sent = new URLSearchParams(body).get('client_secret') ?? '';
        const answers = [
          () => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `bad client secret ${sent}`, error_description: sent })),
          () => res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer error="${encodeURIComponent(sent)}"` }).end(JSON.stringify({ error: encodeURIComponent(sent) })),
          () => res.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream rejected ${body}`),
        ];
        answers[calls++ % answers.length]!();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  test.afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('the secret reaches no page, RSC payload, API answer, audit export, log or database file', async ({ page, request }) => {
    const seen: string[] = [];
    page.on('response', async (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (/html|x-component|json|javascript|text|csv/.test(type)) seen.push(await response.text().catch(() => ''));
    });
    const clientId = `visible-echo-${randomBytes(6).toString('hex')}`;
    await loginAs(page, 'ADMIN');
    await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'OAuth2 client credentials');
    await page.getByLabel('Label').fill('Echoing provider');
    await page.getByLabel('Token endpoint').fill(tokenUrl);
    await page.getByLabel('Client ID').fill(clientId);
    await page.getByLabel('Client secret').fill(secret);
    await page.getByLabel('Client authentication').selectOption('client_secret_post');
    await page.getByRole('button', { name: 'Create credential' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Echoing provider');
    const credentialId = new URL(page.url()).pathname.split('/').pop()!;

    for (let i = 0; i < 3; i++) {
      await page.getByRole('button', { name: 'Test connection' }).click();
      await expect(page.getByRole('status').filter({ hasText: /^Failed: / })).toBeVisible();
      await page.reload();
    }
    await expect(page.getByRole('table', { name: 'Connection tests, newest first' })).toContainText('oauth_error');

    await submitServiceAccount(page, { name: 'Echo reader', entity: 'Gulf Trading FZ-LLC' });
    await confirmStepUp(page);
    const key = (await page.locator('#new-api-key').textContent())!;
    const api = await request.get(`/api/v1/credentials/${credentialId}/access-token`, { headers: { authorization: `Bearer ${key}` } });
    expect(api.status()).toBeGreaterThanOrEqual(400);
    const answers = [await api.text()];
    for (const format of ['csv', 'json']) answers.push(await (await page.context().request.get(`/audit/export?format=${format}`)).text());
    expect(calls).toBeGreaterThanOrEqual(3);

    expect(seen.some((body) => body.includes(clientId))).toBe(true); // the scans do see what is shown
    const log = readFileSync(E2E_SERVER_LOG, 'utf8');
    const files = filesUnder(E2E_DATA_DIR).map((file) => [file, readFileSync(file)] as const);
    expect(files.some(([, bytes]) => bytes.includes(clientId))).toBe(true);
    for (const spelling of spellings) {
      for (const body of [...seen, ...answers]) expect(body).not.toContain(spelling);
      expect(log).not.toContain(spelling);
      for (const [file, bytes] of files) expect(bytes.includes(spelling), file).toBe(false);
    }
  });
});

test('a flood of wrong API keys from one address is answered 429 after the limit', async ({ request }) => {
  const headers = { authorization: `Bearer sr_${'x'.repeat(43)}`, 'x-forwarded-for': '198.51.100.77' };
  const statuses: number[] = [];
  for (let i = 0; i < 22; i++) statuses.push((await request.get('/api/v1/credentials', { headers })).status());
  expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
  const limited = await request.get('/api/v1/credentials', { headers });
  expect(limited.status()).toBe(429);
  expect(limited.headers()['retry-after']).toBe('60');
  expect(await limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
});

test('odd paging parameters answer 404, not 500', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await page.getByRole('link', { name: 'ASP sandbox' }).click();
  await page.waitForURL(/\/credentials\/[0-9a-f-]{36}$/);
  const credentialUrl = page.url();
  expect((await page.goto(`${credentialUrl}?page=99999999999999999999`))?.status()).toBe(404);
  expect((await page.goto(`${credentialUrl}?page=0`))?.status()).toBe(404);
  expect((await page.goto('/audit?before=99999999999999999999'))?.status()).toBe(404);
  expect((await page.goto('/audit?before=12'))?.status()).toBe(200);
});

test('every page carries a nonce Content-Security-Policy, and the browser enforces it', async ({ page, browser }) => {
  const response = await page.goto('/sign-in');
  const policy = response!.headers()['content-security-policy'] ?? '';
  expect(policy).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
  for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]) expect(policy).toContain(directive);
  expect(policy).not.toContain('unsafe-eval');
  expect(policy).not.toContain('unsafe-inline');
  const again = (await page.goto('/sign-in'))!.headers()['content-security-policy'];
  expect(again).not.toBe(policy); // a fresh nonce per response
  expect((await page.request.get('/sign-in')).headers()['cache-control']).toContain('no-store');

  // Control for the watcher every test runs under: an injected inline handler is refused, and
  // Chromium reports it where the watcher looks.
  const bare = await browser.newContext();
  try {
    const probe = await bare.newPage();
    const reports: string[] = [];
    probe.on('console', (message) => reports.push(message.text()));
    await probe.goto('/sign-in');
    await probe.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img src="/missing.png" onerror="window.injected = true">'));
    await expect.poll(() => reports.some((text) => /Content Security Policy/i.test(text))).toBe(true);
    expect(await probe.evaluate(() => (window as { injected?: boolean }).injected)).toBeUndefined();
  } finally {
    await bare.close();
  }
});

test('next-auth’s own pages carry the Content-Security-Policy too', async ({ request }) => {
  for (const path of ['/api/auth/signout', '/api/auth/error', '/api/auth/verify-request']) {
    const response = await request.get(path);
    expect(response.headers()['content-security-policy'], path).toMatch(/script-src 'nonce-[^']+' 'strict-dynamic'.*frame-ancestors 'none'/);
  }
});
