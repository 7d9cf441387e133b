import type { Metadata } from 'next';
import { AcceptInvitationForm } from '@/components/accept-invitation-form';
import { ROLE_LABELS } from '@/lib/roles';
import { ZLinkToken } from '@/lib/schemas/accounts';
import { services } from '@/lib/server/services';
import { readInvitation } from '@/lib/server/users/accept-invitation';

export const metadata: Metadata = { title: 'Join Strongroom' };

export default async function InvitePage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const token = ZLinkToken.safeParse((await searchParams).token);
  const invitation = token.success ? await readInvitation(await services(), token.data) : null;
  return (
    <main id="main" className="sign-in">
      <h1>{invitation ? `Join ${invitation.organizationName}` : 'Join Strongroom'}</h1>
      <div className="panel">
        {!invitation || !token.success ? (
          <p role="alert">This invitation link is not valid: it is used, cancelled, expired or mistyped. Ask your administrator for a new one.</p>
        ) : (
          <>
            <p>
              You are invited as <strong>{invitation.email}</strong>, role {ROLE_LABELS[invitation.role].toLowerCase()}.
              {invitation.role === 'ADMIN' && ' Administrators set up two-factor authentication next.'}
            </p>
            <AcceptInvitationForm token={token.data} email={invitation.email} role={invitation.role} />
          </>
        )}
      </div>
    </main>
  );
}
