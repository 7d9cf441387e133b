import { enrollTotp, expect, loginAs, test as setup } from './fixtures';

setup('an admin enrolls an authenticator with the key shown on the page', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/dashboard');
  await page.getByRole('link', { name: 'Gulf Trading FZ-LLC' }).click();
  await page.getByRole('link', { name: 'Add credential' }).click();
  // Without two-factor, a form that changes secrets sends the admin to set it up first.
  await expect(page).toHaveURL(/\/settings\/security\?next=/);
  await expect(page.getByText('Changing secrets needs two-factor authentication.')).toBeVisible();
  // Looking at the page creates nothing: the key appears once the password starts the enrollment.
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toHaveCount(0);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  await expect(page.locator('#enroll-password-error')).toHaveText('That password is not right.');
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toHaveCount(0);

  const codes = await enrollTotp(page, 'ADMIN');
  expect(codes.every((code) => /^[a-z2-7]{5}-[a-z2-7]{5}$/.test(code))).toBe(true);
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page).toHaveURL(/\/entities\/.+\/credentials\/new|\/step-up/);

  await page.goto('/settings/security');
  await expect(page.getByText(/On since .*\. 10 of 10 recovery codes left\./)).toBeVisible();
});
