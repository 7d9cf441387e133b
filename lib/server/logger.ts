import 'server-only';
import pino from 'pino';
import { env } from '@/lib/server/env';

/**
 * Every key that can hold a secret, at any depth we log. pino replaces their values with
 * "[redacted]"; the list grows with each secret-bearing field a profile adds.
 */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'secret',
  'clientSecret',
  'apiKey',
  'token',
  'accessToken',
  'refreshToken',
  'privateKey',
  'authorization',
  'cookie',
];

let instance: pino.Logger | undefined;

/** The structured, redacting logger (created on first use, after the environment is checked). */
export function logger(): pino.Logger {
  instance ??= pino({
  level: env().LOG_LEVEL,
  base: { app: 'strongroom' },
  redact: {
    paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
    censor: '[redacted]',
  },
  });
  return instance;
}
