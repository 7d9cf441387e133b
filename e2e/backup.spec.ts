import { readdirSync, readFileSync } from 'node:fs';
import { expect, loginAs, test } from './fixtures';

test('an administrator makes a backup now from Admin → Scheduler; the file is encrypted and named by its time', async ({ page }) => {
  await loginAs(page, 'ADMIN');
  await page.goto('/admin/scheduler');
  const row = page.getByRole('row', { name: /^backup / });
  await expect(row).toContainText('Writes an encrypted backup into data/e2e-backups and keeps the newest 7');
  // The server made one when it started (the job was due); wait for it, then ask for another.
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText(/strongroom-\d{8}T\d{9}Z\.age: \d+ rows; 1 kept/, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  const before = readdirSync('data/e2e-backups').filter((name) => name.endsWith('.age')).length;
  await row.getByRole('button', { name: 'Back up now' }).click();
  await expect(row).toContainText(new RegExp(`strongroom-\\d{8}T\\d{9}Z\\.age: \\d+ rows; ${before + 1} kept`));
  const files = readdirSync('data/e2e-backups').filter((name) => name.endsWith('.age'));
  expect(files).toHaveLength(before + 1);
  const newest = files.sort().at(-1)!;
  // age's header, then ciphertext: no table name, address or secret in clear.
  const raw = readFileSync(`data/e2e-backups/${newest}`);
  expect(raw.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
  expect(raw.includes(Buffer.from('admin@demo.example'))).toBe(false);
});
