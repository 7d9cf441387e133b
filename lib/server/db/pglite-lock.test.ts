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

  it('eight processes starting at once after a crash: exactly one gets the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-lock-'));
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.on('exit', resolve));
    writeFileSync(join(dir, 'pglite.lock'), String(gone.pid));
    const startAt = Date.now() + 4_000; // after every child has loaded
    const children = Array.from({ length: 8 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--conditions=react-server', 'lib/server/test-support/pglite-lock.worker.ts'], {
        env: { ...process.env, LOCK_DIR: dir, START_AT: String(startAt) },
      }),
    );
    // Each says what it got; the one holding the lock keeps it until every answer is in.
    const outcomes = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = '';
            child.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              if (out.endsWith('\n')) resolve(out.trim());
            });
            child.on('exit', () => resolve(out.trim()));
          }),
      ),
    ).finally(() => children.forEach((child) => child.kill()));
    expect(outcomes.filter((o) => o === 'locked')).toHaveLength(1);
    expect(outcomes.filter((o) => o.startsWith('refused: ') && o.includes('is in use by process'))).toHaveLength(7);
    expect(existsSync(join(dir, 'pglite.lock.takeover'))).toBe(false);
  }, 30_000);
});
