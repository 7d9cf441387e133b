import 'server-only';
import pino from 'pino';
import { CREDENTIAL_PROFILES } from '@/lib/schemas/credential-profiles';
import { env } from '@/lib/server/env';
import { currentRequestId } from '@/lib/server/request-context';

/**
 * Every key that can hold a secret: each profile's secret fields, plus auth and token names. pino
 * replaces their values at any depth we log with "[redacted]".
 */
export const SECRET_KEYS = [
  ...new Set([
    ...Object.values(CREDENTIAL_PROFILES).flatMap((profile) => profile.fields.filter((f) => f.secret).map((f) => f.name)),
    'password',
    'passwordHash',
    'secret',
    'token',
    'accessToken',
    'access_token',
    'refreshToken',
    'refresh_token',
    'totpSecret',
    'recoveryCode',
    'authorization',
    'cookie',
    'sealed',
    'wrappedKey',
    'STRONGROOM_KEK',
    'NEXTAUTH_SECRET',
  ]),
];

/** A logger that writes JSON lines to `destination` (stdout by default). */
export function createLogger(destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level: env().LOG_LEVEL,
      base: { app: 'strongroom' },
      // Every line written while a request is served names it (scripts/serve.mjs gives each one an id).
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      redact: { paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), censor: '[redacted]' },
    },
    destination,
  );
}

let instance: pino.Logger | undefined;

/** The process's structured, redacting logger (created on first use, after the environment is checked). */
export function logger(): pino.Logger {
  instance ??= createLogger();
  return instance;
}
