import { expect, type Page } from '@playwright/test';

export type DemoRole = 'ADMIN' | 'OPERATOR' | 'VIEWER' | 'AUDITOR';

export const demoEmail = (role: DemoRole) => `${role.toLowerCase()}@demo.example`;

export function demoPassword(): string {
  const password = process.env.E2E_DEMO_PASSWORD;
  if (!password) throw new Error('E2E_DEMO_PASSWORD is set by playwright.config.ts');
  return password;
}

/** Signs in through the sign-in form and waits for the dashboard. */
export async function loginAs(page: Page, role: DemoRole): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(demoEmail(role));
  await page.getByLabel('Password').fill(demoPassword());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}
