import 'server-only';
import { randomBytes } from 'node:crypto';
import { hashPassword } from '@/lib/server/auth/password';
import type { Prisma, PrismaClient, Role } from '@/prisma/generated/client';

const ORG_SLUG = 'demo';

const ENTITIES = [
  {
    name: 'Gulf Trading FZ-LLC',
    taxId: '100234567800003',
    country: 'AE',
    credentials: [
      { profile: 'uae-asp-api-key', environment: 'SANDBOX', label: 'ASP sandbox', config: { aspBaseUrl: 'https://sandbox.asp.example/api', participantId: '0235:1002345678' } },
      { profile: 'uae-direct-oauth', environment: 'PRODUCTION', label: 'Direct DCTCE', config: { clientId: 'gulf-trading-erp', scope: 'einvoice:transmit einvoice:status' } },
    ],
  },
  {
    name: 'Selangor Components Sdn Bhd',
    taxId: 'C20880050010',
    country: 'MY',
    credentials: [
      { profile: 'myinvois-oauth', environment: 'SANDBOX', label: 'MyInvois pre-production', config: { clientId: 'selangor-components', scope: 'InvoicingAPI' } },
    ],
  },
  {
    name: 'Riyadh Supplies Co.',
    taxId: '310122393500003',
    country: 'SA',
    credentials: [
      {
        profile: 'zatca-csid',
        environment: 'PRODUCTION',
        label: 'EGS unit 1',
        // Everything the CSR needs: the unit can be onboarded from its page with a Fatoora OTP.
        config: {
          apiBaseUrl: 'https://gw-fatoora.zatca.gov.sa/e-invoicing/simulation',
          vatNumber: '310122393500003',
          egsSerial: '1-Strongroom|2-Demo|3-0001',
          commonName: 'EGS1-310122393500003',
          organizationUnit: 'Riyadh Head Office',
          organizationName: 'Riyadh Supplies Co.',
          invoiceTypes: '1100',
          registeredAddress: 'King Fahd Road 100, Riyadh',
          businessCategory: 'Wholesale',
        },
      },
    ],
  },
] as const;

const USERS: { role: Role; name: string; email?: string }[] = [
  { role: 'ADMIN', name: 'Amira Admin' },
  // A second administrator, so four-eyes approval of production changes can be tried.
  { role: 'ADMIN', name: 'Bilal Approver', email: 'approver@demo.example' },
  { role: 'OPERATOR', name: 'Omar Operator' },
  { role: 'VIEWER', name: 'Vera Viewer' },
  { role: 'AUDITOR', name: 'Arjun Auditor' },
];

/** The demo organization's id, once seeded. */
export async function demoOrganizationId(prisma: PrismaClient): Promise<string | null> {
  return (await prisma.organization.findUnique({ where: { slug: ORG_SLUG }, select: { id: true } }))?.id ?? null;
}

export const demoEmail = (role: Role) => `${role.toLowerCase()}@demo.example`;

export interface DemoLogin {
  email: string;
  role: Role;
  password: string;
}

/**
 * Creates the demo organization, its entities, credential slots (not configured: no secrets) and one
 * user per role. Idempotent: existing rows are kept, and existing users keep their passwords.
 * Returns the logins it created, with their passwords, so the caller can show them once.
 */
export async function seedDemo(prisma: PrismaClient, { demoPassword }: { demoPassword?: string } = {}): Promise<DemoLogin[]> {
  const organization = await prisma.organization.upsert({
    where: { slug: ORG_SLUG },
    create: { slug: ORG_SLUG, name: 'Demo Holdings' },
    update: {},
  });
  for (const entity of ENTITIES) {
    const row = await prisma.legalEntity.upsert({
      where: { organizationId_taxId: { organizationId: organization.id, taxId: entity.taxId } },
      create: { organizationId: organization.id, name: entity.name, taxId: entity.taxId, country: entity.country },
      update: {},
    });
    for (const credential of entity.credentials) {
      const key = { legalEntityId: row.id, profile: credential.profile, environment: credential.environment, label: credential.label };
      await prisma.credential.upsert({
        where: { legalEntityId_profile_environment_label: key },
        create: { ...key, organizationId: organization.id, config: credential.config as Prisma.InputJsonObject },
        update: {},
      });
    }
  }
  const created: DemoLogin[] = [];
  for (const user of USERS) {
    const email = user.email ?? demoEmail(user.role);
    if (await prisma.user.findUnique({ where: { email }, select: { id: true } })) continue;
    const password = demoPassword ?? randomBytes(12).toString('base64url');
    await prisma.user.create({
      data: { email, name: user.name, role: user.role, organizationId: organization.id, passwordHash: await hashPassword(password) },
    });
    created.push({ email, role: user.role, password });
  }
  return created;
}
