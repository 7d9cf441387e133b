import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env } from '@/lib/server/env';

let cached: string | undefined;

/**
 * The key that signs session cookies: NEXTAUTH_SECRET, or in embedded mode one generated on first
 * start and kept in DATA_DIR (mode 0600), so the quick start needs no editing. Never a default.
 */
export function authSecret(): string {
  if (cached) return cached;
  const config = env();
  if (config.NEXTAUTH_SECRET) return (cached = config.NEXTAUTH_SECRET);
  const path = join(config.DATA_DIR, 'auth-secret');
  try {
    cached = readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
    cached = randomBytes(32).toString('base64url');
    writeFileSync(path, cached, { mode: 0o600, flag: 'wx' });
  }
  if (cached.length < 32) throw new Error(`${path} holds a secret shorter than 32 characters; delete it to have a new one generated.`);
  return cached;
}
