import { confirmStepUp, expect, loginAs, test } from './fixtures';

test.describe('Admin → Keys', () => {
  test('an administrator sees where the key lives and that it is usable; a rotation with nothing to do is refused, saying so', async ({ page }) => {
    await loginAs(page, 'ADMIN');
    await page.goto('/admin/keys');
    await expect(page.getByRole('heading', { name: 'Keys', level: 1 })).toBeVisible();
    const current = page.getByRole('row', { name: /Current/ });
    await expect(current).toContainText('Environment variable (development, small installs)');
    await expect(current).toContainText('Usable');
    await expect(page.getByText('Every key is wrapped under the current key.')).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'Keys unavailable' })).toHaveCount(0);

    await page.getByRole('button', { name: 'Rewrap every key under the current key' }).click();
    await confirmStepUp(page);
    await expect(page.getByRole('alert').filter({ hasText: /Every key is already wrapped under the current key [0-9a-f]{16} \(env\); there is nothing to rotate\./ })).toBeVisible();

    // Destroying the organization's secrets needs its short name typed exactly; a wrong one is stopped in the form.
    await page.getByLabel('Type demo to confirm').fill('Demo Holdings');
    await page.getByRole('button', { name: 'Destroy every secret of this organization' }).click();
    await expect(page.getByText('Type the organization’s short name, demo, exactly')).toBeVisible();
  });

  test('people who are not administrators do not get the page', async ({ page }) => {
    await loginAs(page, 'OPERATOR');
    const response = await page.goto('/admin/keys');
    expect(response?.status()).toBe(403);
  });
});
