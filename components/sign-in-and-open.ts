import { signIn } from 'next-auth/react';
import type { useRouter } from 'next/navigation';

/**
 * After a form that set a password (setup, invitation, reset): signs in with it and opens `path`;
 * if that sign-in fails, the sign-in page.
 */
export async function signInAndOpen(router: ReturnType<typeof useRouter>, { email, password }: { email: string; password: string }, path: string): Promise<void> {
  const result = await signIn('credentials', { email, password, redirect: false });
  router.replace(result?.ok && !result.error ? path : '/sign-in');
  router.refresh();
}
