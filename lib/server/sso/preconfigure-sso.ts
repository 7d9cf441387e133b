import 'server-only';
import { ssoFromEnvironment } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';
import type { Services } from '@/lib/server/services';
import { applySsoSettings, discoverProvider, DiscoveryError } from '@/lib/server/sso/sso-connection';

export type SsoPreconfiguration = 'applied' | 'kept' | 'no_organization' | 'unreachable';

/**
 * For scripted installs: the single sign-on SSO_* describes, given to its organization at start if
 * that organization has none yet, once its provider's discovery document names the same issuer (as
 * saving the form requires). Afterwards Admin → Sign-in decides and SSO_* is ignored, so a change made
 * there (under four-eyes) is never undone by a restart. Audited as the environment's doing.
 */
export async function preconfigureSso(services: Services, config: Parameters<typeof ssoFromEnvironment>[0]): Promise<SsoPreconfiguration | null> {
  const wanted = ssoFromEnvironment(config);
  if (!wanted?.ok) return null; // nothing asked for (a malformed SSO_* stops the start in parseEnv)
  const { prisma, keyring } = services;
  const organization = await prisma.organization.findUnique({ where: { slug: wanted.organization }, select: { id: true, sso: { select: { issuer: true } } } });
  if (!organization) {
    logger().warn({ event: 'sso.preconfigure_waiting', organization: wanted.organization }, 'SSO_ORGANIZATION names no organization yet: applied at the first start after it is set up');
    return 'no_organization';
  }
  if (organization.sso) {
    logger().info({ event: 'sso.preconfigure_ignored', organization: wanted.organization }, 'single sign-on is already set up (Admin → Sign-in decides): SSO_* ignored');
    return 'kept';
  }
  try {
    await discoverProvider(wanted.settings.issuer);
  } catch (error) {
    if (!(error instanceof DiscoveryError)) throw error;
    logger().error({ event: 'sso.preconfigure_failed', organization: wanted.organization, issuer: wanted.settings.issuer, reason: error.message }, 'SSO_ISSUER not usable: single sign-on not set up; tried again at the next start');
    return 'unreachable';
  }
  await prisma.$transaction((tx) =>
    applySsoSettings(tx, keyring, { actor: { type: 'SYSTEM', label: 'environment (SSO_*)' }, organizationId: organization.id, settings: wanted.settings, clientSecret: wanted.clientSecret }),
  );
  logger().info({ event: 'sso.preconfigured', organization: wanted.organization, issuer: wanted.settings.issuer }, 'single sign-on set up from SSO_*; the client secret is sealed: remove SSO_CLIENT_SECRET from the environment');
  return 'applied';
}
