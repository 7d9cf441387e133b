'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { getCsrfToken } from 'next-auth/react';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { FormError, TextField } from '@/components/form/fields';
import { SSO_REFUSALS, ZSsoStart, type TSsoStart } from '@/lib/schemas/sso';

/**
 * Starts a sign-in through the organization's identity provider: next-auth answers the POST with the
 * provider's authorization URL (state, nonce and PKCE verifier kept in its cookies), which the
 * browser then opens.
 */
export function SsoSignInForm({ organization }: { organization: string }) {
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<TSsoStart>({ resolver: zodResolver(ZSsoStart), defaultValues: { organization } });
  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const slug = ZSsoStart.parse(values).organization;
    const csrfToken = await getCsrfToken();
    const response = await fetch(`/api/auth/signin/sso-${encodeURIComponent(slug)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken: csrfToken ?? '', callbackUrl: '/dashboard', json: 'true' }),
    }).catch(() => null);
    const url = response?.ok ? ((await response.json().catch(() => null)) as { url?: string } | null)?.url : undefined;
    // next-auth answers with its own sign-in page when the organization has no provider.
    if (!url || new URL(url, window.location.href).pathname.startsWith('/api/auth/')) {
      setFormError(url ? SSO_REFUSALS.not_configured : 'Single sign-on is unavailable right now. Try again in a moment.');
      return;
    }
    window.location.assign(url);
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-describedby={formError ? 'sso-error' : undefined}>
      <FormError id="sso-error" message={formError} />
      <TextField id="sso-organization" label="Organization short name" autoComplete="organization" spellCheck={false} error={formState.errors.organization?.message} {...register('organization')} />
      <button type="submit" disabled={formState.isSubmitting}>
        {formState.isSubmitting ? 'Opening your identity provider…' : 'Continue with single sign-on'}
      </button>
    </form>
  );
}
