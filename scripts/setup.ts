// npm run setup: the first-run setup without a browser, for scripted installs. Creates the
// organization and its first administrator, turns on the administrator's two-factor and prints the
// authenticator's enrolment URI and the recovery codes, once. In embedded mode, stop the server first.
//
//   npm run setup -- --organization "Acme Group" --name "Ada Admin" --email ada@acme.example
//
// The password is read from SETUP_ADMIN_PASSWORD or, when that is unset, from standard input (one
// line); never from the command line, where other users of the machine could read it.
import { createInterface } from 'node:readline';
import { ZFirstAdmin } from '@/lib/schemas/accounts';
import { appendAuditEvent } from '@/lib/server/audit/append-audit-event';
import { hashPassword } from '@/lib/server/auth/password';
import { keyring } from '@/lib/server/crypto/keyring';
import { databaseLocation, openDatabase } from '@/lib/server/db/open-database';
import { applyMigrations } from '@/lib/server/db/migrations';
import { fieldErrorsOf } from '@/lib/server/result';
import { createFirstOrganization } from '@/lib/server/setup/create-organization';
import { activateTotp } from '@/lib/server/step-up/confirm-enrollment';
import { newTotpSecret, totpUri } from '@/lib/server/step-up/totp';

const args = process.argv.slice(2);
const option = (name: string, variable: string) => {
  const index = args.indexOf(`--${name}`);
  return (index >= 0 ? args[index + 1] : undefined) ?? process.env[variable] ?? '';
};

async function readPassword(): Promise<string> {
  if (process.env.SETUP_ADMIN_PASSWORD) return process.env.SETUP_ADMIN_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password for the administrator (at least 12 characters): ');
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

async function main(): Promise<number> {
  if (args.some((a) => a.startsWith('--password'))) {
    process.stderr.write('setup: the password is not taken from the command line; set SETUP_ADMIN_PASSWORD or type it on standard input.\n');
    return 2;
  }
  const password = await readPassword();
  // No setup link here: whoever runs this already holds the database and its key.
  const parsed = ZFirstAdmin.safeParse({
    organizationName: option('organization', 'SETUP_ORGANIZATION'),
    name: option('name', 'SETUP_ADMIN_NAME'),
    email: option('email', 'SETUP_ADMIN_EMAIL'),
    password,
    repeatPassword: password,
  });
  if (!parsed.success) {
    for (const [field, messages] of Object.entries(fieldErrorsOf(parsed.error))) process.stderr.write(`setup: ${field}: ${messages.join('; ')}\n`);
    process.stderr.write('usage: npm run setup -- --organization <name> --name <admin name> --email <admin email> (password: SETUP_ADMIN_PASSWORD or stdin)\n');
    return 2;
  }
  const input = parsed.data;
  const keys = keyring();
  const db = await openDatabase(databaseLocation());
  try {
    await applyMigrations(db.sql);
    const passwordHash = await hashPassword(input.password);
    const secret = newTotpSecret();
    const result = await db.prisma.$transaction(async (tx) => {
      const created = await createFirstOrganization(tx, { organizationName: input.organizationName, name: input.name, email: input.email, passwordHash });
      if (!created) return null;
      const recoveryCodes = await activateTotp(tx, keys, created.admin, secret);
      const actor = { type: 'USER' as const, id: created.admin.id, label: created.admin.email, userAgent: 'npm run setup' };
      const organizationId = created.organization.id;
      await appendAuditEvent(tx, { actor, action: 'setup.completed', target: { type: 'Organization', id: organizationId }, organizationId, outcome: 'SUCCESS', details: { via: 'script' } });
      await appendAuditEvent(tx, { actor, action: 'totp.enabled', target: { type: 'User', id: created.admin.id }, organizationId, outcome: 'SUCCESS', details: { via: 'script' } });
      return { recoveryCodes };
    });
    if (!result) {
      process.stderr.write('setup: this installation is already set up; sign in, or ask an administrator for an invitation.\n');
      return 1;
    }
    process.stdout.write(
      [
        `Organization "${input.organizationName}" and administrator ${input.email} created.`,
        '',
        'Add this to the administrator’s authenticator app (shown this once):',
        `  ${totpUri(secret, input.email)}`,
        '',
        'Recovery codes (shown this once; each works once):',
        ...result.recoveryCodes.map((code) => `  ${code}`),
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`setup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
