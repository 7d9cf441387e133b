import 'server-only';
import { randomBytes } from 'node:crypto';
import { now } from '@/lib/server/clock';
import { SYSTEM_ACTOR } from '@/lib/server/audit/append-audit-event';
import { changeCredentialStatus } from '@/lib/server/credentials/change-credential-status';
import { profileDefinition } from '@/lib/schemas/credential-profiles';
import { installSecrets } from '@/lib/server/credentials/secret-versions';
import type { Services } from '@/lib/server/services';
import type { Environment, Prisma } from '@/prisma/generated/client';

const DAY = 86_400_000;

type History = { days: number; failLastDays?: number } | null;

interface DemoState {
  profile: string;
  environment: Environment;
  label: string;
  /** Configured (ACTIVE), and for one of them past its expiry: EXPIRED. */
  expired?: true;
  config: Record<string, string>;
  secrets: Record<string, number>;
  /** Days from now (negative: past). */
  expiresInDays?: number;
  history: History;
  lastError?: string;
}

// One entity whose credentials are in every state a real company meets, so a first look at the demo
// shows what Strongroom does. They point at example hosts, so their scheduled tests are off.
const ENTITY = { name: 'Atlas Retail L.L.C.', taxId: '100456789000003', country: 'AE' };
const STATES: DemoState[] = [
  {
    profile: 'oauth2-client-credentials',
    environment: 'PRODUCTION',
    label: 'ERP token client',
    config: { tokenUrl: 'https://auth.atlas-retail.example/oauth2/token', clientId: 'atlas-erp', clientAuth: 'client_secret_basic', secretExpiresOn: '' },
    secrets: { clientSecret: 32 },
    expiresInDays: 200,
    history: { days: 30 },
  },
  {
    profile: 'api-key',
    environment: 'PRODUCTION',
    label: 'Archive API key',
    config: { baseUrl: 'https://archive.atlas-retail.example', headerName: 'X-API-Key', healthPath: '/health', secretExpiresOn: '' },
    secrets: { apiKey: 40 },
    expiresInDays: 12,
    history: { days: 30 },
  },
  {
    profile: 'http-basic',
    environment: 'PRODUCTION',
    label: 'Legacy portal login',
    expired: true,
    config: { baseUrl: 'https://portal.atlas-retail.example', username: 'atlas-finance', secretExpiresOn: '' },
    secrets: { password: 24 },
    expiresInDays: -5,
    history: { days: 30 },
  },
  {
    profile: 'uae-asp-api-key',
    environment: 'PRODUCTION',
    label: 'ASP production',
    config: { aspBaseUrl: 'https://api.asp.example', participantId: '0235:1004567890' },
    secrets: { apiKey: 40 },
    history: { days: 30, failLastDays: 3 },
  },
  {
    profile: 'api-key',
    environment: 'SANDBOX',
    label: 'Archive sandbox key',
    config: { baseUrl: 'https://sandbox.archive.atlas-retail.example', headerName: 'X-API-Key', secretExpiresOn: '' },
    secrets: { apiKey: 40 },
    history: null,
  },
];

/**
 * Adds the demo entity whose credentials show every state: active, expiring in 12 days, expired,
 * failing for 3 days, never tested, each with random sealed secrets and (but the last) 30 days of
 * test history. Only once: an existing entity is left as it is.
 */
export async function seedDemoStates({ prisma, keyring }: Services, { organizationId }: { organizationId: string }): Promise<boolean> {
  if (await prisma.legalEntity.findUnique({ where: { organizationId_taxId: { organizationId, taxId: ENTITY.taxId } }, select: { id: true } })) return false;
  const at = now().getTime();
  const admin = await prisma.user.findFirst({ where: { organizationId, role: 'ADMIN' }, select: { id: true, email: true } });
  await prisma.$transaction(async (tx) => {
    const entity = await tx.legalEntity.create({ data: { organizationId, ...ENTITY } });
    for (const state of STATES) {
      const expiresAt = state.expiresInDays === undefined ? null : new Date(Math.floor((at + state.expiresInDays * DAY) / DAY) * DAY);
      const config = { ...state.config, ...('secretExpiresOn' in state.config ? { secretExpiresOn: expiresAt ? expiresAt.toISOString().slice(0, 10) : '' } : {}) };
      if (!config.secretExpiresOn) delete config.secretExpiresOn;
      const credential = await tx.credential.create({
        data: {
          organizationId,
          legalEntityId: entity.id,
          profile: state.profile,
          environment: state.environment,
          label: state.label,
          config: config as Prisma.InputJsonObject,
          expiresAt,
          configuredAt: new Date(at - 45 * DAY),
          configuredById: admin?.id ?? null,
          ownerId: admin?.id ?? null,
          testEveryHours: null,
        },
      });
      // Set as version 1 when configured, as a form would: the versions table and the fingerprints agree.
      const secrets = Object.fromEntries(Object.entries(state.secrets).map(([field, bytes]) => [field, randomBytes(bytes).toString('base64url')]));
      await installSecrets(tx, keyring, { credential, secrets, expiresAt, attribution: { at: credential.configuredAt!, setBy: admin?.email ?? null } });
      // Through the status's owner, as every move: configured, then (for one) expired.
      for (const to of state.expired ? (['ACTIVE', 'EXPIRED'] as const) : (['ACTIVE'] as const)) {
        await changeCredentialStatus(tx, { credential, to, event: { actor: SYSTEM_ACTOR, action: 'demo.seed', outcome: 'SUCCESS' } });
      }
      // The scheduler stops testing a credential once it has expired, so its history stops there too.
      if (state.history) await tx.connectionTest.createMany({ data: history(credential.id, state.profile, state.history, state.expired && expiresAt ? Math.min(at, expiresAt.getTime()) : at) });
    }
  });
  return true;
}

/**
 * One test a day for `days` days before `at`, the last `failLastDays` of them failing, as the
 * company's monitoring asks for them through the service API (scheduled tests are off: the hosts
 * are examples), each with the message its kind of test gives.
 */
function history(credentialId: string, profile: string, { days, failLastDays = 0 }: { days: number; failLastDays?: number }, at: number): Prisma.ConnectionTestCreateManyInput[] {
  const passed = profileDefinition(profile)?.test === 'oauth-token' ? 'Token issued (expires in 3600 s).' : 'The API answered 200.';
  return Array.from({ length: days }, (_, i) => {
    const daysAgo = days - i;
    const failing = daysAgo <= failLastDays;
    return {
      credentialId,
      startedAt: new Date(at - daysAgo * DAY + 3_600_000),
      durationMs: failing ? 10_000 : 180 + ((i * 37) % 140),
      outcome: failing ? 'FAILURE' : 'SUCCESS',
      httpStatus: failing ? 503 : 200,
      errorCode: failing ? 'server_error' : null,
      message: failing ? 'The provider answered 503 Service Unavailable.' : passed,
      trigger: 'API',
      credentialVersion: 1,
    } satisfies Prisma.ConnectionTestCreateManyInput;
  });
}
