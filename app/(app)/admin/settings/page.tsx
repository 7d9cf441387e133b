import type { Metadata } from 'next';
import { ApprovalPolicyForm } from '@/components/approval-policy-form';
import { OrganizationSettingsForm } from '@/components/organization-settings-form';
import { getApprovalPolicy } from '@/lib/server/approvals/approval-policy';
import { ADMINS } from '@/lib/roles';
import { CREDENTIAL_PROFILES } from '@/lib/schemas/credential-profiles';
import { requireRole } from '@/lib/server/auth/session';
import { getOrganizationSettings } from '@/lib/server/organization/organization-settings';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await requireRole(ADMINS, 'page:/admin/settings');
  const root = await services();
  const [settings, policy] = await Promise.all([getOrganizationSettings(root, { organizationId: user.organizationId }), getApprovalPolicy(root, { organizationId: user.organizationId })]);
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
      <section className="panel" aria-labelledby="approval-heading">
        <h2 id="approval-heading">Four-eyes approval</h2>
        <ApprovalPolicyForm {...policy} />
      </section>
    </>
  );
}
