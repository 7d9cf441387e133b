// npm run keys:generate | keys:pkcs11-generate | keys:rotate [-- --reseal [--org <slug>] [--batch-size N]] | keys:status
// Key custody from the command line. In embedded mode these refuse to run while the server holds the
// database directory (stop it first; or rotate from Admin → Keys, which runs inside the server).
import { randomBytes } from 'node:crypto';
import { keyStatus } from '@/lib/server/crypto/key-status';
import { generatePkcs11Kek } from '@/lib/server/crypto/pkcs11-kek';
import { parseKeyEnv } from '@/lib/server/env';
import { keyring } from '@/lib/server/crypto/keyring';
import { resealOrganization } from '@/lib/server/crypto/reseal-organization';
import { rotationProgress, runKeyRotation, startKeyRotation } from '@/lib/server/crypto/rotation-job';
import { databaseLocation } from '@/lib/server/db/open-database';
import { openDatabase } from '@/lib/server/db/open-database';

const [command, ...args] = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  if (command === 'generate') {
    say(randomBytes(32).toString('base64'));
    return;
  }
  if (command === 'pkcs11-generate') {
    const { pkcs11 } = parseKeyEnv(process.env);
    if (!pkcs11) throw new Error('set STRONGROOM_PKCS11_MODULE, STRONGROOM_PKCS11_TOKEN, STRONGROOM_PKCS11_KEY and STRONGROOM_PKCS11_PIN (or _PIN_FILE) first');
    say(generatePkcs11Kek(pkcs11) ? `Made the AES-256 key "${pkcs11.keyLabel}" in token "${pkcs11.token}": sensitive, not extractable.` : `Token "${pkcs11.token}" already has a key "${pkcs11.keyLabel}"; nothing made.`);
    return;
  }
  const keys = keyring();
  const db = await openDatabase(databaseLocation());
  try {
    if (command === 'rotate') {
      // The same rotation as Admin → Keys starts and the key-rotation job works: a run killed part-way
      // leaves it running, and the next run (or the server's job) goes on with it.
      const services = { prisma: db.prisma, keyring: keys };
      const running = (await rotationProgress(services)).running;
      const started = running ? null : await startKeyRotation(services, { actor: { type: 'SYSTEM', label: 'npm run keys:rotate' } });
      if (started && !started.ok && started.error.code !== 'INVALID_STATE') throw new Error(started.error.message);
      if (started && !started.ok) say(started.error.message);
      else {
        if (running) say(`Resuming the rotation ${running.requestedBy} started (${running.done}/${running.total} keys).`);
        say(await runKeyRotation(services, { batchSize: 10, onProgress: (done, total) => say(`rewrapped ${done}/${total} keys`) }));
      }
      if (args.includes('--reseal')) {
        const slug = option('--org');
        const batchSize = Number(option('--batch-size') ?? 200);
        const organizations = await db.prisma.organization.findMany({ where: slug ? { slug } : {}, select: { id: true, slug: true } });
        if (slug && organizations.length === 0) throw new Error(`no organization with slug "${slug}"`);
        for (const organization of organizations) {
          const result = await resealOrganization(db.prisma, keys, {
            organizationId: organization.id,
            batchSize,
            onProgress: (done, total) => say(`${organization.slug}: resealed ${done}/${total}`),
          });
          say(`${organization.slug}: ${result.resealed} value(s) now under data key v${result.version}${result.resumed ? ' (resumed)' : ''}.`);
        }
      }
    } else if (command === 'status') {
      const status = await keyStatus(db.prisma, keys);
      for (const kek of status.keyEncryptionKeys) {
        say(`KEK ${kek.id} ${`${kek.provider} ${kek.current ? 'current' : 'previous'}`.padEnd(16)} wraps ${kek.dataKeys} data key(s)${kek.dataKeys === 0 && !kek.current ? ' — can be retired' : ''}`);
      }
      for (const missing of status.unknownKekIds) say(`KEK ${missing} is NOT configured but wraps data keys: add it to STRONGROOM_KEK_PREVIOUS`);
      for (const key of status.dataKeys) {
        say(`  ${key.organization} ${key.purpose.toLowerCase()} key v${key.version} (${key.id}) under ${key.kekId}: ${key.purpose === 'DATA' ? `${key.sealedValues} value(s)` : 'fingerprints'}`);
      }
    } else {
      throw new Error('usage: keys.ts generate | pkcs11-generate | rotate [--reseal [--org <slug>] [--batch-size N]] | status');
    }
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`keys ${command ?? ''} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
