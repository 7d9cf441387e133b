import type { Metadata } from 'next';
import { OrganizationSettingsForm } from '@/components/organization-settings-form';
import { ADMINS } from '@/lib/roles';
import { CREDENTIAL_PROFILES } from '@/lib/schemas/credential-profiles';
import { requireRole } from '@/lib/server/auth/session';
import { getOrganizationSettings } from '@/lib/server/organization/organization-settings';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await requireRole(ADMINS, 'page:/admin/settings');
  const settings = await getOrganizationSettings(await services(), { organizationId: user.organizationId });
  return (
    <>
      <h1>Settings of {user.organizationName}</h1>
      <section className="panel">
        <OrganizationSettingsForm
          timeZone={settings.timeZone}
          leadDays={settings.expiryLeadDays}
          profiles={Object.entries(CREDENTIAL_PROFILES).map(([id, profile]) => ({ id, title: profile.title }))}
        />
      </section>
    </>
  );
}
