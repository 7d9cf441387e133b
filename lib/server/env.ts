import 'server-only';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ZSsoSettings } from '@/lib/schemas/sso';
import { parseTrustedProxies } from '@/lib/server/net/trusted-proxies';

const ZEnv = z.object({
  /** Unset → embedded PGlite under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// URL, or unset for the embedded database')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Signs session cookies. Optional only in embedded mode, where one is generated into DATA_DIR. */
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional(),
  NEXTAUTH_URL: z.url().optional(),
  /** Demo users' password; unset → a random one per user, printed once at first start. */
  DEMO_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** Set to "false" to start without demo data. */
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
  /** Development and tests only: allow outbound calls to this machine (loopback), over plain http too. */
  OUTBOUND_ALLOW_LOOPBACK: z.enum(['true', 'false']).default('false'),
  /** Allow outbound calls to private networks (10/8, 172.16/12, 192.168/16, fc00::/7): on-premise providers. */
  OUTBOUND_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  /** How long a step-up stays open without use, and at most after its code. */
  STEP_UP_GRANT_SECONDS: z.coerce.number().int().min(10).max(3600).default(600),
  STEP_UP_MAX_SECONDS: z.coerce.number().int().min(10).max(4 * 3600).default(1800),
  /** A session that came through single sign-on ends after this long; the provider is then asked again. */
  SSO_SESSION_MINUTES: z.coerce.number().int().min(5, 'must be 5 or more').max(24 * 60).default(60),
  /**
   * Scripted installs: single sign-on for the organization with this short name, applied at start if
   * it has none yet (afterwards Admin → Sign-in decides). SSO_JIT_DOMAINS: "example.com, example.ae";
   * SSO_GROUP_ROLES: "finance-ops = OPERATOR; auditors = AUDITOR".
   */
  SSO_ORGANIZATION: z.string().trim().optional(),
  SSO_ISSUER: z.string().trim().optional(),
  SSO_CLIENT_ID: z.string().trim().optional(),
  SSO_CLIENT_SECRET: z.string().trim().optional(),
  SSO_JIT_DOMAINS: z.string().trim().optional(),
  SSO_GROUPS_CLAIM: z.string().trim().optional(),
  SSO_GROUP_ROLES: z.string().trim().optional(),
  /** Scheduled backups (the `backup` job): where, to which age recipient (age1…, the backup key's public half), how many kept, how often. */
  BACKUP_DIR: z.string().trim().optional(),
  BACKUP_RECIPIENT: z
    .string()
    .trim()
    .regex(/^age1[0-9a-z]{20,}$/, 'must be an age recipient (age1…): `npm run backup:keygen` makes a backup key and prints it')
    .optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  BACKUP_INTERVAL_HOURS: z.coerce.number().int().min(1).max(24 * 7).default(24),
  /** Proxies whose X-Forwarded-For is believed: addresses/CIDRs, or a hop count. Empty: none. */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseTrustedProxies(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  /** Outgoing mail (invitations; later, notifications): smtp:// or smtps://user:password@host:port. Unset: no mail. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/.+/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The sender of that mail, e.g. "Strongroom <vault@example.com>". */
  SMTP_FROM: z.string().min(3).max(200).optional(),
  /** How often each server process looks for due periodic jobs (lib/server/jobs). */
  SCHEDULER_TICK_SECONDS: z.coerce.number().int().min(5, 'must be 5 or more').max(3600).default(30),
  /** Looking for OAuth tokens due for refresh before the next look (proactive refresh). */
  TOKEN_REFRESH_INTERVAL_SECONDS: z.coerce.number().int().min(10, 'must be 10 or more').max(3600).default(60),
  /** Looking for credentials due for their scheduled connection test (each has its own interval). */
  SCHEDULED_TESTS_INTERVAL_MINUTES: z.coerce.number().int().min(1, 'must be 1 or more').max(24 * 60).default(15),
  /** The expiry watch: EXPIRED at expiry, reminders inside the lead time. */
  EXPIRY_SCAN_INTERVAL_MINUTES: z.coerce.number().int().min(1, 'must be 1 or more').max(24 * 60).default(60),
  /** Sending queued mail and webhook calls, and their retries. */
  NOTIFICATION_DELIVERY_INTERVAL_SECONDS: z.coerce.number().int().min(5, 'must be 5 or more').max(3600).default(30),
  /** People are told after this many connection tests in a row failed. */
  NOTIFY_AFTER_FAILED_TESTS: z.coerce.number().int().min(1, 'must be 1 or more').max(100).default(3),
  /** Purging deleted credentials, expired grants, counters, old links and sessions. */
  HOUSEKEEPING_INTERVAL_MINUTES: z.coerce.number().int().min(1, 'must be 1 or more').max(7 * 24 * 60).default(360),
  /** Signing every audit chain's head. */
  AUDIT_CHECKPOINT_INTERVAL_MINUTES: z.coerce.number().int().min(1, 'must be 1 or more').max(24 * 60).default(60),
  /** The bearer token Prometheus sends to /api/metrics (32 characters or more). Unset: /api/metrics answers 404. */
  METRICS_TOKEN: z.string().min(32, 'must be 32 characters or more (e.g. `openssl rand -hex 32`)').max(512).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

export type Env = z.infer<typeof ZEnv>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment; the error is one line that says what to set. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const blanksRemoved = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = ZEnv.safeParse(blanksRemoved);
  if (result.success) {
    const env = result.data;
    if (env.SMTP_URL && !env.SMTP_FROM) {
      throw new ConfigError('Invalid configuration: SMTP_FROM must be set when SMTP_URL is set (the sender of Strongroom\'s mail; see .env.example)');
    }
    if (env.BACKUP_DIR && !env.BACKUP_RECIPIENT) {
      throw new ConfigError('Invalid configuration: BACKUP_RECIPIENT must be set when BACKUP_DIR is set (the public half of the backup key; `npm run backup:keygen`; see .env.example)');
    }
    const sso = ssoFromEnvironment(env);
    if (sso && !sso.ok) throw new ConfigError(`Invalid configuration: ${sso.problem} (see .env.example)`);
    if (env.DATABASE_URL && !env.NEXTAUTH_SECRET) {
      throw new ConfigError(
        'Invalid configuration: NEXTAUTH_SECRET must be set when DATABASE_URL is set (instances must share it; see .env.example)',
      );
    }
    return env;
  }
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')} (see .env.example)`);
}

/**
 * The single sign-on a scripted install asks for through SSO_*, checked like the form on Admin →
 * Sign-in; null when none is asked for.
 */
export function ssoFromEnvironment(
  env: Pick<Env, 'SSO_ORGANIZATION' | 'SSO_ISSUER' | 'SSO_CLIENT_ID' | 'SSO_CLIENT_SECRET' | 'SSO_JIT_DOMAINS' | 'SSO_GROUPS_CLAIM' | 'SSO_GROUP_ROLES'>,
): { ok: true; organization: string; settings: Omit<z.output<typeof ZSsoSettings>, 'clientSecret'>; clientSecret: string } | { ok: false; problem: string } | null {
  const given = [env.SSO_ORGANIZATION, env.SSO_ISSUER, env.SSO_CLIENT_ID, env.SSO_CLIENT_SECRET, env.SSO_JIT_DOMAINS, env.SSO_GROUPS_CLAIM, env.SSO_GROUP_ROLES];
  if (given.every((value) => !value)) return null;
  const missing = (['SSO_ORGANIZATION', 'SSO_ISSUER', 'SSO_CLIENT_ID', 'SSO_CLIENT_SECRET'] as const).filter((name) => !env[name]);
  if (missing.length > 0) return { ok: false, problem: `${missing.join(', ')} must be set with the other SSO_ settings` };
  const parsed = ZSsoSettings.safeParse({
    issuer: env.SSO_ISSUER,
    clientId: env.SSO_CLIENT_ID,
    clientSecret: env.SSO_CLIENT_SECRET,
    jitDomains: env.SSO_JIT_DOMAINS ?? '',
    groupsClaim: env.SSO_GROUPS_CLAIM ?? '',
    groupRoles: (env.SSO_GROUP_ROLES ?? '').split(';').join('\n'),
  });
  if (!parsed.success) {
    const names: Record<string, string> = { issuer: 'SSO_ISSUER', clientId: 'SSO_CLIENT_ID', clientSecret: 'SSO_CLIENT_SECRET', jitDomains: 'SSO_JIT_DOMAINS', groupsClaim: 'SSO_GROUPS_CLAIM', groupRoles: 'SSO_GROUP_ROLES' };
    return { ok: false, problem: parsed.error.issues.map((issue) => `${names[String(issue.path[0])] ?? 'SSO_'}: ${issue.message}`).join('; ') };
  }
  const { clientSecret, ...settings } = parsed.data;
  return { ok: true, organization: env.SSO_ORGANIZATION!.toLowerCase(), settings, clientSecret };
}

let cached: Env | undefined;

/** The process environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Where people reach this server: NEXTAUTH_URL, or this machine's port. Links the server hands out start with it. */
export function publicUrl(config: Pick<Env, 'NEXTAUTH_URL' | 'PORT'> = env()): string {
  return config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`;
}

const ZKey = z
  .string({ error: 'is missing: generate one with `npm run keys:generate` and set it (see .env.example)' })
  .trim()
  .refine((value) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(value), 'must be base64 (generate one with `npm run keys:generate`)')
  .transform((value) => Buffer.from(value, 'base64'))
  .superRefine((key, ctx) => {
    if (key.length !== 32) ctx.addIssue({ code: 'custom', message: `must be base64 of exactly 32 bytes, not ${key.length}` });
  });

const setting = z.string().trim().min(1).optional();

const ZKeyEnv = z
  .object({
    /** Where the current key-encryption key lives: `env` (STRONGROOM_KEK, the default), `pkcs11` (an HSM), `aws-kms` or `vault-transit`. */
    STRONGROOM_KEY_PROVIDER: z.enum(['env', 'pkcs11', 'aws-kms', 'vault-transit'], { error: 'must be env, pkcs11, aws-kms or vault-transit' }).default('env'),
    /** The key-encryption key held in the environment: wraps every organization's data keys. */
    STRONGROOM_KEK: ZKey.optional(),
    /** Earlier keys, comma-separated, still able to unwrap until `npm run keys:rotate` has rewrapped. */
    STRONGROOM_KEK_PREVIOUS: z
      .string()
      .optional()
      .transform((list) => (list ?? '').split(',').map((k) => k.trim()).filter(Boolean))
      .pipe(z.array(ZKey)),
    /** The PKCS#11 library of the HSM (SoftHSM: /usr/lib/softhsm/libsofthsm2.so), the token's label, the key's label. */
    STRONGROOM_PKCS11_MODULE: setting,
    STRONGROOM_PKCS11_TOKEN: setting,
    STRONGROOM_PKCS11_KEY: setting,
    /** The token's user PIN, or a file holding it (never on a command line). */
    STRONGROOM_PKCS11_PIN: setting,
    STRONGROOM_PKCS11_PIN_FILE: setting,
    /** AWS KMS: the symmetric key's ARN, its region, and an endpoint only for a VPC endpoint (credentials: the SDK's own chain, AWS_* or a role). */
    STRONGROOM_AWS_KMS_KEY_ID: setting,
    STRONGROOM_AWS_KMS_REGION: setting,
    STRONGROOM_AWS_KMS_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Vault or OpenBao Transit: the server, the transit mount and key, and a token (or file) or an AppRole. */
    STRONGROOM_VAULT_ADDR: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    STRONGROOM_VAULT_TRANSIT_MOUNT: z.string().trim().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'must be a mount path such as transit').default('transit'),
    STRONGROOM_VAULT_TRANSIT_KEY: z.string().trim().regex(/^[A-Za-z0-9_.-]+$/, 'must be a transit key name').optional(),
    STRONGROOM_VAULT_TOKEN: setting,
    STRONGROOM_VAULT_TOKEN_FILE: setting,
    STRONGROOM_VAULT_ROLE_ID: setting,
    STRONGROOM_VAULT_SECRET_ID: setting,
    STRONGROOM_VAULT_SECRET_ID_FILE: setting,
  })
  .superRefine((config, ctx) => {
    if (config.STRONGROOM_KEY_PROVIDER === 'env' && !config.STRONGROOM_KEK) {
      ctx.addIssue({ code: 'custom', path: ['STRONGROOM_KEK'], message: 'is missing: generate one with `npm run keys:generate` and set it (see .env.example)' });
    }
    const anyPkcs11 = config.STRONGROOM_PKCS11_MODULE || config.STRONGROOM_PKCS11_TOKEN || config.STRONGROOM_PKCS11_KEY;
    if (config.STRONGROOM_KEY_PROVIDER === 'pkcs11' || anyPkcs11) {
      for (const name of ['STRONGROOM_PKCS11_MODULE', 'STRONGROOM_PKCS11_TOKEN', 'STRONGROOM_PKCS11_KEY'] as const) {
        if (!config[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is missing (needed for the PKCS#11 key: see .env.example)' });
      }
      if (!config.STRONGROOM_PKCS11_PIN === !config.STRONGROOM_PKCS11_PIN_FILE) {
        ctx.addIssue({ code: 'custom', path: ['STRONGROOM_PKCS11_PIN'], message: 'or STRONGROOM_PKCS11_PIN_FILE must be set, one of them' });
      }
    }
    if (config.STRONGROOM_KEY_PROVIDER === 'aws-kms' || config.STRONGROOM_AWS_KMS_KEY_ID) {
      for (const name of ['STRONGROOM_AWS_KMS_KEY_ID', 'STRONGROOM_AWS_KMS_REGION'] as const) {
        if (!config[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is missing (needed for the AWS KMS key: see .env.example)' });
      }
    }
    if (config.STRONGROOM_KEY_PROVIDER === 'vault-transit' || config.STRONGROOM_VAULT_ADDR) {
      for (const name of ['STRONGROOM_VAULT_ADDR', 'STRONGROOM_VAULT_TRANSIT_KEY'] as const) {
        if (!config[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is missing (needed for the Vault transit key: see .env.example)' });
      }
      const token = Boolean(config.STRONGROOM_VAULT_TOKEN || config.STRONGROOM_VAULT_TOKEN_FILE);
      const appRole = Boolean(config.STRONGROOM_VAULT_ROLE_ID && (config.STRONGROOM_VAULT_SECRET_ID || config.STRONGROOM_VAULT_SECRET_ID_FILE));
      if (token === appRole) {
        ctx.addIssue({ code: 'custom', path: ['STRONGROOM_VAULT_TOKEN'], message: '(or _TOKEN_FILE), or STRONGROOM_VAULT_ROLE_ID with STRONGROOM_VAULT_SECRET_ID (or _FILE), must be set: one way to log in' });
      }
    }
  })
  .transform((config, ctx) => {
    // A secret given as a file is read here, so it never has to be on a command line or in the environment.
    const fromFile = (value: string | undefined, file: string | undefined, name: string): string | undefined => {
      if (value || !file) return value;
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: [name], message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
        return undefined;
      }
    };
    const { STRONGROOM_PKCS11_MODULE: module, STRONGROOM_PKCS11_TOKEN: token, STRONGROOM_PKCS11_KEY: keyLabel } = config;
    const pkcs11 = module && token && keyLabel ? { module, token, keyLabel, pin: fromFile(config.STRONGROOM_PKCS11_PIN, config.STRONGROOM_PKCS11_PIN_FILE, 'STRONGROOM_PKCS11_PIN_FILE') ?? '' } : null;
    const awsKms =
      config.STRONGROOM_AWS_KMS_KEY_ID && config.STRONGROOM_AWS_KMS_REGION
        ? { keyId: config.STRONGROOM_AWS_KMS_KEY_ID, region: config.STRONGROOM_AWS_KMS_REGION, ...(config.STRONGROOM_AWS_KMS_ENDPOINT ? { endpoint: config.STRONGROOM_AWS_KMS_ENDPOINT } : {}) }
        : null;
    const vaultToken = fromFile(config.STRONGROOM_VAULT_TOKEN, config.STRONGROOM_VAULT_TOKEN_FILE, 'STRONGROOM_VAULT_TOKEN_FILE');
    const secretId = fromFile(config.STRONGROOM_VAULT_SECRET_ID, config.STRONGROOM_VAULT_SECRET_ID_FILE, 'STRONGROOM_VAULT_SECRET_ID_FILE');
    const vault =
      config.STRONGROOM_VAULT_ADDR && config.STRONGROOM_VAULT_TRANSIT_KEY
        ? {
            address: config.STRONGROOM_VAULT_ADDR,
            mount: config.STRONGROOM_VAULT_TRANSIT_MOUNT,
            keyName: config.STRONGROOM_VAULT_TRANSIT_KEY,
            login: vaultToken ? { token: vaultToken } : { roleId: config.STRONGROOM_VAULT_ROLE_ID ?? '', secretId: secretId ?? '' },
          }
        : null;
    return { STRONGROOM_KEY_PROVIDER: config.STRONGROOM_KEY_PROVIDER, STRONGROOM_KEK: config.STRONGROOM_KEK, STRONGROOM_KEK_PREVIOUS: config.STRONGROOM_KEK_PREVIOUS, pkcs11, awsKms, vault };
  });

export type KeyEnv = z.infer<typeof ZKeyEnv>;

/** Parses the key-encryption keys; the error is one line that says what to set, never a key. */
export function parseKeyEnv(source: Record<string, string | undefined>): KeyEnv {
  const blanksRemoved = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = ZKeyEnv.safeParse(blanksRemoved);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.').replace(/\.\d+$/, '')} ${issue.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}
