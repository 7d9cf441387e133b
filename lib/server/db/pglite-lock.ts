import 'server-only';
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * PGlite does not lock its directory, and two processes opening it corrupt it. This lock file holds
 * the owner's pid, created atomically so only one process can make it. A lock left by a dead
 * process is taken over under a second such file, the takeover guard: only its holder may delete
 * the stale lock, and only after reading it again, so two processes starting at once after a crash
 * never both get in.
 */
export function lockDataDirectory(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = join(dataDir, 'pglite.lock');
  const guardPath = join(dataDir, 'pglite.lock.takeover');
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(lockPath)) return () => rmSync(lockPath, { force: true });
    const owner = readOwner(lockPath);
    if (owner === undefined) continue; // released meanwhile: try again
    if (owner && owner !== process.pid && isAlive(owner)) throw inUse(dataDir, owner);
    if (!createExclusive(guardPath)) {
      const other = readOwner(guardPath);
      if (other === undefined) continue; // the other takeover finished meanwhile: look again
      if (other && isAlive(other)) throw inUse(dataDir, other);
      throw new Error(`A start of the embedded database in ${dataDir} was interrupted while taking over a stale lock. If no Strongroom process runs, delete ${guardPath} and start again.`);
    }
    try {
      if (readOwner(lockPath) === owner) rmSync(lockPath, { force: true });
    } finally {
      rmSync(guardPath, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}.`);
}

/**
 * Creates `path` holding this process's pid, if nobody else has: true when it did. The pid is
 * written to a private file first and linked into place (link fails if the name exists), so nobody
 * ever reads a lock file that exists but is still empty.
 */
function createExclusive(path: string): boolean {
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, String(process.pid), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

/** The pid in a lock file (0 if it holds none); undefined if it is gone. */
function readOwner(path: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(path, 'utf8'), 10) || 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const inUse = (dataDir: string, pid: number) =>
  new Error(
    `The embedded database in ${dataDir} is in use by process ${pid}. Stop it first: while it runs, it alone may open this directory (it applies migrations and the demo seed itself).`,
  );

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
