import type { Metadata } from 'next';
import { BreakGlassSwitch, PasskeysForAdminsSwitch, SsoOnlySwitch } from '@/components/sso-switches';
import { adminPasskeys } from '@/lib/server/passkeys/passkeys';
import { SsoSettingsForm } from '@/components/sso-settings-form';
import { formatDateTime } from '@/lib/format';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { env, publicUrl } from '@/lib/server/env';
import { services } from '@/lib/server/services';
import { getSsoSettings } from '@/lib/server/sso/sso-connection';
import { SSO_PROVIDER_PREFIX } from '@/lib/server/sso/sso-provider';

export const metadata: Metadata = { title: 'Sign-in' };

/** Admin → Sign-in: single sign-on through the organization's identity provider, SSO only, break-glass administrators. */
export default async function SignInSettingsPage() {
  const user = await requireRole(ADMINS, 'page:/admin/sign-in');
  const v = await services();
  const { connection, clientSecret, administrators } = await getSsoSettings(v, { organizationId: user.organizationId });
  const passkeys = await adminPasskeys(v, { organizationId: user.organizationId });
  const withPasskey = passkeys.admins.filter((admin) => admin.passkeys > 0).length;
  const base = publicUrl();
  const slug = user.organizationSlug;
  const breakGlass = administrators.filter((a) => a.breakGlass && a.totpEnabledAt);
  return (
    <>
      <h1>Sign-in</h1>
      <p className="muted">
        People of {user.organizationName} can sign in through your identity provider (OpenID Connect: Entra ID, Okta, Google Workspace, Keycloak). Register Strongroom there as a
        confidential web application with these addresses, then fill in what it gives you.
      </p>
      <section className="panel" aria-labelledby="registration">
        <h2 id="registration">What to register at the provider</h2>
        <dl>
          <dt>Redirect URI</dt>
          <dd>
            <code>{`${base}/api/auth/callback/${SSO_PROVIDER_PREFIX}${slug}`}</code>
          </dd>
          <dt>Back-channel logout URI</dt>
          <dd>
            <code>{`${base}/api/sso/${slug}/backchannel-logout`}</code> (the provider tells Strongroom when someone signs out or is disabled there)
          </dd>
          <dt>Scopes</dt>
          <dd>
            <code>openid email profile</code>; the ID token must carry a verified <code>email</code>, and the groups claim if you map groups to roles.
          </dd>
          <dt>Sign-in link for your people</dt>
          <dd>
            <code>{`${base}/sign-in?organization=${slug}`}</code>
          </dd>
        </dl>
        <p className="muted">Sessions that came through the provider end after {env().SSO_SESSION_MINUTES} minutes; the provider is then asked again.</p>
      </section>
      <section className="panel" aria-labelledby="provider">
        <h2 id="provider">Identity provider</h2>
        {connection ? (
          <p role="status">
            Configured: <code>{connection.issuer}</code>, client <code>{connection.clientId}</code>
            {clientSecret ? `, client secret ${clientSecret.fingerprint} set ${formatDateTime(clientSecret.updatedAt)} UTC` : ', no client secret'}.
          </p>
        ) : (
          <p role="status">Not set up: everyone signs in with their email and password.</p>
        )}
        <SsoSettingsForm
          hasSecret={Boolean(clientSecret)}
          defaults={{
            issuer: connection?.issuer ?? '',
            clientId: connection?.clientId ?? '',
            jitDomains: connection?.jitDomains.join('\n') ?? '',
            groupsClaim: connection?.groupsClaim ?? '',
            groupRoles: connection?.groupRoles.map((row) => `${row.group} = ${row.role}`).join('\n') ?? '',
          }}
        />
      </section>
      <section className="panel" aria-labelledby="sso-only">
        <h2 id="sso-only">Single sign-on only</h2>
        <p>
          {connection?.ssoOnly
            ? 'On: passwords are refused for everyone but the break-glass administrators below. Leavers lose access when the provider disables them.'
            : 'Off: everyone may also sign in with their email and password.'}{' '}
          Break-glass administrators keep their password and two-factor, for when the provider is down; at least one must stay while this is on.
        </p>
        {connection ? <SsoOnlySwitch ssoOnly={connection.ssoOnly} /> : <p className="muted">Set up the identity provider first.</p>}
        <h3>Break-glass administrators</h3>
        {breakGlass.length === 0 && <p className="muted">None yet.</p>}
        <ul className="plain">
          {administrators.map((admin) => (
            <li key={admin.id}>
              {admin.name} ({admin.email}){admin.breakGlass ? ' · break-glass' : ''}
              {admin.totpEnabledAt ? '' : ' · no two-factor yet'} <BreakGlassSwitch userId={admin.id} email={admin.email} breakGlass={admin.breakGlass} />
            </li>
          ))}
        </ul>
      </section>
      <section className="panel" aria-labelledby="passkeys-for-admins">
        <h2 id="passkeys-for-admins">Passkeys for administrators</h2>
        <p role="status">
          {passkeys.required
            ? 'On: administrators confirm changes with a passkey; an authenticator code is refused (a recovery code still works, and each administrator registers their first passkey with their code).'
            : 'Off: administrators confirm changes with a passkey or an authenticator code.'}{' '}
          {withPasskey} of {passkeys.admins.length} administrators have a passkey
          {withPasskey < passkeys.admins.length ? `; without one: ${passkeys.admins.filter((admin) => admin.passkeys === 0).map((admin) => admin.email).join(', ')}` : ''}.
        </p>
        <PasskeysForAdminsSwitch required={passkeys.required} />
      </section>
    </>
  );
}
