import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test as base, expect, type APIRequestContext, type Page, type Request } from '@playwright/test';

export { expect };

/**
 * Playwright's `test`, with every page of the test's browser context watched for Content-Security-
 * Policy violations (Chromium reports each on the console): a test fails if any page it visits
 * breaks the policy.
 */
export const test = base.extend({
  context: async ({ context }, use) => {
    const violations: string[] = [];
    context.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(`${message.page()?.url() ?? ''}: ${message.text()}`);
    });
    await use(context);
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  },
});

export type DemoRole = 'ADMIN' | 'OPERATOR' | 'VIEWER' | 'AUDITOR';
/** Whose authenticator: a demo role, or another account a test made. */
export type TotpAccount = DemoRole | (string & {});

export const demoEmail = (role: DemoRole) => `${role.toLowerCase()}@demo.example`;

export function demoPassword(): string {
  const password = process.env.E2E_DEMO_PASSWORD;
  if (!password) throw new Error('E2E_DEMO_PASSWORD is set by playwright.config.ts');
  return password;
}

/** Signs in through the sign-in form and waits for the dashboard. */
export async function loginAs(page: Page, role: DemoRole): Promise<void> {
  await loginWith(page, demoEmail(role));
}

/** The demo's second administrator (four-eyes approvals). */
export const APPROVER_EMAIL = 'approver@demo.example';

/** Signs in a demo account by its address (all share the run's demo password). */
export async function loginWith(page: Page, email: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(demoPassword());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

// Authenticator keys enrolled through the UI, and the last time step each account used: shared by
// the spec files (and by a worker that restarts), since the server accepts each step only once.
const STATE = 'data/e2e-totp.json';
type TotpState = Record<string, { key: string; lastStep: number }>;
const readState = (): TotpState => (existsSync(STATE) ? (JSON.parse(readFileSync(STATE, 'utf8')) as TotpState) : {});
const writeState = (state: TotpState) => {
  mkdirSync('data', { recursive: true });
  writeFileSync(STATE, JSON.stringify(state));
};

/** Remembers `role`'s authenticator key; the server's last accepted step stays (it is per user, not per key). */
export function rememberTotpKey(role: TotpAccount, key: string): void {
  const state = readState();
  writeState({ ...state, [role]: { key, lastStep: state[role]?.lastStep ?? 0 } });
}

export function totpKey(role: TotpAccount): string {
  const entry = readState()[role];
  if (!entry) throw new Error(`no authenticator enrolled for ${role} (the setup project does it)`);
  return entry.key;
}

/** Whether `account` has an authenticator from an earlier spec (governance enrolls the approver's). */
export function hasAuthenticator(account: TotpAccount): boolean {
  return Boolean(readState()[account]);
}

/** A code from `oathtool` (a TOTP client that is not ours) for a time step not used before. */
export function oathtool(key: string, atSeconds: number): string {
  return execFileSync('oathtool', ['--totp', '-b', `--now=@${atSeconds}`, key], { encoding: 'utf8' }).trim();
}

/**
 * A fresh code for `role`. The server accepts a step once per user and ±1 step around its clock.
 * The next step and the current one stay valid for at least 30 s more; the previous one only until
 * the current step ends, so it is taken only while 20 s or more of that are left: a slow machine
 * cannot let a code lapse between typing and checking. When every usable step is spent, wait.
 */
export async function totpFor(role: TotpAccount): Promise<string> {
  for (;;) {
    const state = readState();
    const entry = state[role];
    if (!entry) throw new Error(`no authenticator enrolled for ${role}`);
    const now = Date.now() / 1000;
    const current = Math.floor(now / 30);
    const earliest = (current + 1) * 30 - now >= 20 ? current - 1 : current;
    const step = Math.max(earliest, entry.lastStep + 1);
    if (step <= current + 1) {
      writeState({ ...state, [role]: { ...entry, lastStep: step } });
      return oathtool(entry.key, step * 30 + 15);
    }
    await new Promise((resolve) => setTimeout(resolve, (step - 1) * 30_000 - Date.now() + 200));
  }
}

/** Answers a step-up prompt on the page with a fresh code. */
export async function confirmStepUp(page: Page, role: TotpAccount = 'ADMIN'): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
  await page.getByLabel('Authentication code').fill(await totpFor(role));
  await page.getByRole('button', { name: 'Confirm' }).click();
}

/** Enrolls `role`'s authenticator (first or replacement) through the security page; returns the recovery codes shown. */
export async function enrollTotp(page: Page, role: TotpAccount, password = demoPassword()): Promise<string[]> {
  if (new URL(page.url()).pathname !== '/settings/security') await page.goto('/settings/security');
  // Nothing is created by looking at the page: the password starts a first enrollment (a replacement
  // was started by "Replace authenticator" and shows its key already).
  const start = page.getByRole('button', { name: 'Set up two-factor' });
  if (await start.isVisible()) {
    await page.getByLabel('Password', { exact: true }).fill(password);
    await start.click();
  }
  await expect(page.locator('#totp-key')).toBeVisible();
  const key = (await page.locator('#totp-key').textContent())!.replace(/\s/g, '');
  rememberTotpKey(role, key);
  await page.getByLabel('Code from the app').fill(await totpFor(role));
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  return codes.allTextContents();
}

/**
 * After clicking through to a form that changes secrets (a new credential, or an edit): waits until
 * the gate has answered with the form or with the step-up page, and answers the step-up if asked.
 * It waits for what the page shows, not for the URL or the network: a client-side navigation shows
 * the form's URL for a moment before the gate's redirect lands, and does not reset the load state.
 */
export async function passGate(page: Page, role: TotpAccount = 'ADMIN'): Promise<void> {
  const stepUp = page.getByRole('heading', { name: 'Confirm it is you' });
  const form = page.getByLabel('Credential type').or(page.getByRole('button', { name: /^(Save changes|Set as pending version)$/ }));
  await expect(stepUp.or(form).first()).toBeVisible();
  if (await stepUp.isVisible()) {
    await confirmStepUp(page, role);
    await expect(form.first()).toBeVisible();
  }
}

/** A row of a credential page's "Settings and secrets" table (the versions table names fields too). */
export const fieldRow = (page: Page, name: RegExp) => page.getByRole('table', { name: /^Fields of / }).getByRole('row', { name });

/** Sends a captured server-action POST again, with the cookies of `api`'s browser context. */
export function replayResponse(api: APIRequestContext, request: Request) {
  const { cookie: _cookie, 'content-length': _length, ...headers } = request.headers();
  return api.post(request.url(), { headers, data: request.postData() ?? '' });
}

/** From the dashboard: a legal entity's "Add credential", through the gate, to the form of one profile. */
export async function openNewCredentialForm(page: Page, entity: string, profileTitle: string): Promise<void> {
  await page.goto('/dashboard');
  await page.getByRole('link', { name: entity }).click();
  await page.getByRole('link', { name: 'Add credential' }).click();
  await passGate(page);
  await page.getByLabel('Credential type').selectOption({ label: profileTitle });
  await page.getByRole('button', { name: 'Choose' }).click();
}

/** Fills the service-account form (token:read for one legal entity) and submits it; the step-up may follow. */
export async function submitServiceAccount(page: Page, { name, entity }: { name: string; entity: string }): Promise<void> {
  await page.goto('/admin/service-accounts');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Get access tokens').check();
  await page.getByLabel(entity).check();
  await page.getByRole('button', { name: 'Create service account' }).click();
}
