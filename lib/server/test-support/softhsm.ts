import 'server-only';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pkcs11Settings } from '@/lib/server/crypto/pkcs11-kek';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/**
 * A SoftHSMv2 token store of its own in a temporary directory (Debian's softhsm2), for this process:
 * SOFTHSM2_CONF is set before the library is first loaded. Returns a function that initializes a
 * token and gives the settings to reach it.
 */
export function softHsm(): (token: string, keyLabel?: string) => Pkcs11Settings {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-softhsm-'));
  writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
  return (token, keyLabel = 'strongroom-kek') => {
    const pin = `pin-${token}`;
    // Test tokens only: softhsm2-util takes its PINs as arguments.
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', token, '--so-pin', 'so-pin-1234', '--pin', pin], { stdio: 'ignore', env: process.env });
    return { module: SOFTHSM_MODULE, token, pin, keyLabel };
  };
}
