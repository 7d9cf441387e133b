import 'server-only';
import { z } from 'zod';
import { SSO_GROUP_ROLES, ZBreakGlass, ZSsoOnly, ZSsoSettings } from '@/lib/schemas/sso';
import { appendAuditEvent, type Actor } from '@/lib/server/audit/append-audit-event';
import { recordRefusal } from '@/lib/server/audit/record-refusal';
import { describeSecrets, readSecrets, writeSecret } from '@/lib/server/crypto/sealed-secrets';
import { checkUrl, defaultPolicy, guardedFetch, OutboundError } from '@/lib/server/net/guarded-fetch';
import { fail, fieldErrorsOf, ok, type Result } from '@/lib/server/result';
import type { Services } from '@/lib/server/services';
import type { SsoPolicy } from '@/lib/server/sso/sso-decision';
import type { Prisma, Role } from '@/prisma/generated/client';
import { needsSecondAdministrator, requestAdministration } from '@/lib/server/approvals/admin-standing';
import type { ApprovalRequested } from '@/lib/server/approvals/request-change';
import type { Keyring } from '@/lib/server/crypto/keyring';
import { isLastBreakGlass, LAST_BREAK_GLASS_MESSAGE, lockBreakGlass } from '@/lib/server/users/last-admin';

/** Where an organization's client secret is sealed. */
export const ssoOwner = (organizationId: string) => ({ organizationId, ownerTable: 'SsoConnection', ownerId: organizationId });

/** What the provider's discovery document says, as far as Strongroom uses it. */
export interface ProviderMetadata {
  issuer: string;
  /** Where the person's browser is sent. */
  authorizationEndpoint: string;
  /** What the server calls (next-auth, through the guard's address check): checked like any outbound URL. */
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint: string | undefined;
}

/**
 * Reads `issuer`'s discovery document through the outbound guard and checks it names the same issuer
 * (a document for another issuer is refused: its tokens would be checked against the wrong one), and
 * that the endpoints the server will call pass the guard too (https, no address it refuses): a
 * provider must not point the server's token request at this network.
 */
export async function discoverProvider(issuer: string, policy = defaultPolicy()): Promise<ProviderMetadata> {
  let response: Response;
  try {
    response = await guardedFetch(`${issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } }, policy);
  } catch (error) {
    throw new DiscoveryError(error instanceof OutboundError ? error.message : 'The provider could not be reached.');
  }
  if (!response.ok) throw new DiscoveryError(`The provider answered ${response.status} for its discovery document (${issuer}/.well-known/openid-configuration).`);
  const document = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!document || typeof document !== 'object') throw new DiscoveryError('The provider’s discovery document is not JSON.');
  if (document.issuer !== issuer) throw new DiscoveryError(`The discovery document names another issuer (${String(document.issuer).slice(0, 200)}): use exactly the issuer it names.`);
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof document[field] !== 'string') throw new DiscoveryError(`The discovery document has no ${field}.`);
  }
  const userinfo = typeof document.userinfo_endpoint === 'string' ? document.userinfo_endpoint : undefined;
  for (const [field, url] of [['token_endpoint', document.token_endpoint], ['jwks_uri', document.jwks_uri], ['userinfo_endpoint', userinfo]] as const) {
    if (url === undefined) continue;
    try {
      checkUrl(url as string, policy);
    } catch (error) {
      throw new DiscoveryError(`The discovery document’s ${field} is refused: ${(error as Error).message}`);
    }
  }
  return {
    issuer,
    authorizationEndpoint: document.authorization_endpoint as string,
    tokenEndpoint: document.token_endpoint as string,
    jwksUri: document.jwks_uri as string,
    userinfoEndpoint: userinfo,
  };
}

export class DiscoveryError extends Error {}

const ZStoredGroupRoles = z.array(z.object({ group: z.string(), role: z.enum(SSO_GROUP_ROLES) })).catch([]);

/** The stored group mapping, read back through its schema (a row that is not one is dropped, never trusted). */
const storedGroupRoles = (value: unknown): SsoPolicy['groupRoles'] => ZStoredGroupRoles.parse(value);

/** What Admin → Sign-in shows: the settings, whether a client secret is stored (never the secret), the break-glass administrators. */
export async function getSsoSettings({ prisma }: Pick<Services, 'prisma'>, { organizationId }: { organizationId: string }) {
  const [connection, secrets, administrators] = await Promise.all([
    prisma.ssoConnection.findUnique({ where: { organizationId } }),
    describeSecrets(prisma, ssoOwner(organizationId)),
    prisma.user.findMany({ where: { organizationId, role: 'ADMIN', disabledAt: null }, select: { id: true, name: true, email: true, breakGlass: true, totpEnabledAt: true }, orderBy: { email: 'asc' } }),
  ]);
  return {
    connection: connection ? { ...connection, groupRoles: storedGroupRoles(connection.groupRoles) } : null,
    clientSecret: secrets.get('clientSecret') ?? null,
    administrators,
  };
}

/** What the sign-in page says about an organization named in its link: its name and whether it is SSO only. */
export async function signInNotice({ prisma }: Pick<Services, 'prisma'>, { slug }: { slug: string }) {
  const organization = await prisma.organization.findUnique({ where: { slug }, select: { name: true, sso: { select: { ssoOnly: true } } } });
  return organization ? { name: organization.name, ssoOnly: organization.sso?.ssoOnly ?? false } : null;
}

/** The policy the sign-in applies, and the client for next-auth: only for an organization with single sign-on set up. */
export async function loadSsoClient({ prisma, keyring }: Services, { slug }: { slug: string }) {
  const organization = await prisma.organization.findUnique({ where: { slug }, select: { id: true, name: true, sso: true } });
  if (!organization?.sso) return null;
  const { clientSecret } = await readSecrets(prisma, keyring, ssoOwner(organization.id), ['clientSecret']);
  if (!clientSecret) return null;
  const policy: SsoPolicy = {
    organizationId: organization.id,
    issuer: organization.sso.issuer,
    jitDomains: organization.sso.jitDomains,
    groupsClaim: organization.sso.groupsClaim,
    groupRoles: storedGroupRoles(organization.sso.groupRoles),
  };
  return { slug, organizationName: organization.name, clientId: organization.sso.clientId, clientSecret, policy };
}

/** The settings a saved or approved change writes (the client secret apart). */
export type SsoSettings = { issuer: string; clientId: string; jitDomains: string[]; groupsClaim: string; groupRoles: { group: string; role: (typeof SSO_GROUP_ROLES)[number] }[] };

/**
 * Saves the organization's provider (administrators, behind the `sso` step-up): the issuer's discovery
 * document must answer and name the same issuer; a blank client secret keeps the stored one. A
 * refusal changes nothing and is audited; the secret is sealed and never shown again. Under four-eyes
 * approval, with another administrator who could approve, it is a request they approve (the secret
 * sealed under the request): whoever sets the provider decides who can sign in as whom, so one
 * administrator alone must not be able to point it at a provider they control.
 */
export async function saveSsoSettings(services: Services, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: unknown }): Promise<Result<null | ApprovalRequested>> {
  const { prisma, keyring } = services;
  const refuse = (failure: ReturnType<typeof fail>) => recordRefusal(prisma, { actor, organizationId, action: 'sso.configure', target: { type: 'Organization', id: organizationId }, failure: failure.error });
  const parsed = ZSsoSettings.safeParse(input);
  if (!parsed.success) return refuse(fail('VALIDATION', 'Check the highlighted fields; nothing was changed.', fieldErrorsOf(parsed.error)));
  const { clientSecret, ...settings } = parsed.data;
  const stored = (await describeSecrets(prisma, ssoOwner(organizationId))).get('clientSecret');
  if (!clientSecret && !stored) return refuse(fail('VALIDATION', 'Nothing was changed.', { clientSecret: ['Enter the client secret the provider gave'] }));
  try {
    await discoverProvider(settings.issuer);
  } catch (error) {
    if (!(error instanceof DiscoveryError)) throw error;
    return refuse(fail('VALIDATION', 'Nothing was changed.', { issuer: [error.message] }));
  }
  if (await needsSecondAdministrator(prisma, { organizationId, actorId: actor.id })) {
    return requestAdministration(services, {
      actor,
      organizationId,
      kind: 'SSO_CONNECTION',
      subject: 'Single sign-on',
      payload: { settings },
      target: `Sign in through ${settings.issuer} (client ${settings.clientId})`,
      action: 'sso.configure',
      refusalTarget: { type: 'Organization', id: organizationId },
      ...(clientSecret ? { secrets: { clientSecret } } : {}),
    });
  }
  await prisma.$transaction((tx) => applySsoSettings(tx, keyring, { actor, organizationId, settings, clientSecret }));
  return ok(null);
}

/** Writes the settings (and a new client secret) in `tx` and audits it, with the approval when there was one. */
export async function applySsoSettings(
  tx: Prisma.TransactionClient,
  keyring: Keyring,
  { actor, organizationId, settings, clientSecret, approval }: { actor: Actor; organizationId: string; settings: SsoSettings; clientSecret: string | undefined; approval?: { requestId: string; requestedBy: string } },
): Promise<void> {
  const existing = await tx.ssoConnection.findUnique({ where: { organizationId }, select: { issuer: true } });
  const data = { issuer: settings.issuer, clientId: settings.clientId, jitDomains: settings.jitDomains, groupsClaim: settings.groupsClaim || null, groupRoles: settings.groupRoles };
  await tx.ssoConnection.upsert({ where: { organizationId }, create: { organizationId, ...data }, update: data });
  const secret = clientSecret ? await writeSecret(tx, keyring, ssoOwner(organizationId), 'clientSecret', clientSecret) : null;
  await appendAuditEvent(tx, {
    actor,
    action: 'sso.configure',
    target: { type: 'Organization', id: organizationId },
    organizationId,
    outcome: 'SUCCESS',
    details: {
      issuer: settings.issuer,
      issuerBefore: existing?.issuer ?? null,
      clientId: settings.clientId,
      jitDomains: settings.jitDomains,
      groupsClaim: settings.groupsClaim || null,
      groupRoles: settings.groupRoles.map((row) => `${row.group} = ${row.role}`),
      ...(secret ? { clientSecretFingerprint: secret.fingerprint } : {}),
      ...(approval ? { changeRequest: approval.requestId, requestedBy: approval.requestedBy } : {}),
    },
  });
}

/**
 * Turns "single sign-on only" on or off. On needs single sign-on set up and at least one active
 * break-glass administrator with two-factor (who can still get in when the provider is down).
 */
export async function setSsoOnly({ prisma }: Pick<Services, 'prisma'>, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: unknown }): Promise<Result<null>> {
  const refuse = (failure: ReturnType<typeof fail>) => recordRefusal(prisma, { actor, organizationId, action: 'sso.only', target: { type: 'Organization', id: organizationId }, failure: failure.error });
  const parsed = ZSsoOnly.safeParse(input);
  if (!parsed.success) return refuse(fail('VALIDATION', 'Nothing was changed.'));
  const connection = await prisma.ssoConnection.findUnique({ where: { organizationId }, select: { ssoOnly: true } });
  if (!connection) return refuse(fail('INVALID_STATE', 'Set up single sign-on first; nothing was changed.'));
  const done = await prisma.$transaction(async (tx) => {
    // The break-glass administrators stay locked until this commits: none can be unmarked meanwhile.
    if (parsed.data.ssoOnly && (await lockBreakGlass(tx, organizationId)).length === 0) return false;
    await tx.ssoConnection.update({ where: { organizationId }, data: { ssoOnly: parsed.data.ssoOnly } });
    await appendAuditEvent(tx, { actor, action: 'sso.only', target: { type: 'Organization', id: organizationId }, organizationId, outcome: 'SUCCESS', details: { ssoOnlyBefore: connection.ssoOnly, ssoOnly: parsed.data.ssoOnly } });
    return true;
  });
  if (!done) return refuse(fail('INVALID_STATE', 'Mark at least one administrator with two-factor as break-glass first: when the provider is down, they are the only way in. Nothing was changed.'));
  return ok(null);
}

/**
 * Marks an administrator as break-glass or not. While the organization is SSO only, the last
 * break-glass administrator cannot be unmarked.
 */
export async function setBreakGlass({ prisma }: Pick<Services, 'prisma'>, { actor, organizationId, input }: { actor: Actor; organizationId: string; input: unknown }): Promise<Result<null>> {
  const refuse = (failure: ReturnType<typeof fail>) => recordRefusal(prisma, { actor, organizationId, action: 'sso.break_glass', target: parsed.success ? { type: 'User', id: parsed.data.userId } : null, failure: failure.error });
  const parsed = ZBreakGlass.safeParse(input);
  if (!parsed.success) return refuse(fail('VALIDATION', 'Nothing was changed.'));
  const { userId, breakGlass } = parsed.data;
  const user = await prisma.user.findFirst({ where: { id: userId, organizationId, role: 'ADMIN' as Role, disabledAt: null }, select: { id: true, email: true, breakGlass: true, totpEnabledAt: true } });
  if (!user) return refuse(fail('NOT_FOUND', 'Only an active administrator of this organization can be break-glass.'));
  if (breakGlass && !user.totpEnabledAt) return refuse(fail('INVALID_STATE', `${user.email} has no two-factor yet: a break-glass administrator needs it. Nothing was changed.`));
  const done = await prisma.$transaction(async (tx) => {
    if (!breakGlass && (await isLastBreakGlass(tx, { organizationId, userId }))) return false;
    await tx.user.update({ where: { id: userId }, data: { breakGlass } });
    await appendAuditEvent(tx, { actor, action: 'sso.break_glass', target: { type: 'User', id: userId }, organizationId, outcome: 'SUCCESS', details: { email: user.email, breakGlass } });
    return true;
  });
  if (!done) return refuse(fail('INVALID_STATE', `${user.email}: ${LAST_BREAK_GLASS_MESSAGE}`));
  return ok(null);
}

