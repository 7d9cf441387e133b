import 'server-only';
// A separate process for the lock-race test: waits for the common start instant, tries to lock the
// directory, says whether it got the lock, and holds it until killed so the others meet a live owner.
import { lockDataDirectory } from '@/lib/server/db/pglite-lock';

const { LOCK_DIR, START_AT } = process.env;
while (Date.now() < Number(START_AT)); // spin: a timer would add its own jitter
try {
  lockDataDirectory(LOCK_DIR!);
  process.stdout.write('locked\n');
  setInterval(() => {}, 60_000);
} catch (error) {
  process.stdout.write(`refused: ${(error as Error).message}\n`);
}
