import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDirectory } from '@/lib/server/db/pglite-lock';

describe('lockDataDirectory', () => {
  it('refuses a directory another live process holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-lock-'));
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, 'pglite.lock'), String(other.pid));
      expect(() => lockDataDirectory(dir)).toThrow(`is in use by process ${other.pid}`);
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a dead process, and releases it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-lock-'));
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.on('exit', resolve));
    writeFileSync(join(dir, 'pglite.lock'), String(gone.pid));
    const release = lockDataDirectory(dir);
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(true);
    release();
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(false);
  });
});
