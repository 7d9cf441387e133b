import { demoEmail, demoPassword, expect, loginAs, test } from './fixtures';

test('signs in with the right password and out again', async ({ page }) => {
  await loginAs(page, 'OPERATOR');
  await expect(page.getByRole('banner')).toContainText('Omar Operator');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('refuses a wrong password without saying which part was wrong', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(demoEmail('VIEWER'));
  await page.getByLabel('Password', { exact: true }).fill(`${demoPassword()}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#sign-in-error')).toHaveText('Email or password is incorrect.');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('explains malformed input on the field itself', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('not an email');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Enter an email address')).toBeVisible();
  await expect(page.getByText('Enter your password')).toBeVisible();
});

test('locks an account after repeated failures, with a clear message', async ({ page }) => {
  await page.goto('/sign-in');
  const email = 'nobody@demo.example';
  for (let attempt = 1; attempt <= 5; attempt++) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(`guess-${attempt}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#sign-in-error')).toHaveText('Email or password is incorrect.');
  }
  await page.getByLabel('Password', { exact: true }).fill('guess-6');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#sign-in-error')).toContainText('Too many failed sign-ins: try again in 15 minutes.');
});

test('the session cookie is httpOnly and SameSite', async ({ page, context }) => {
  await loginAs(page, 'VIEWER');
  const cookie = (await context.cookies()).find((c) => c.name.endsWith('next-auth.session-token'));
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
});
