import type { Metadata } from 'next';
import { KeyRotationButton } from '@/components/key-rotation-button';
import { ShredOrganizationForm } from '@/components/shred-organization-form';
import { formatDateTime } from '@/lib/format';
import { ADMINS } from '@/lib/roles';
import { requireRole } from '@/lib/server/auth/session';
import { keyHealth } from '@/lib/server/crypto/key-health';
import { rotationProgress } from '@/lib/server/crypto/rotation-job';
import { keyStatus } from '@/lib/server/crypto/key-status';
import { countStaleKeys } from '@/lib/server/crypto/rewrap-data-keys';
import { services } from '@/lib/server/services';

export const metadata: Metadata = { title: 'Keys' };

const PROVIDERS = { env: 'Environment variable (development, small installs)', pkcs11: 'PKCS#11 token (HSM)', 'aws-kms': 'AWS KMS', 'vault-transit': 'Vault / OpenBao Transit' } as const;

/** Where the key-encryption keys live, whether they can be used, what they wrap, and the rotation. */
export default async function KeysPage() {
  const user = await requireRole(ADMINS, 'page:/admin/keys');
  const v = await services();
  const [health, status, stale, rotation] = await Promise.all([keyHealth(v.keyring), keyStatus(v.prisma, v.keyring), countStaleKeys(v.prisma, v.keyring), rotationProgress(v)]);
  const wraps = new Map(status.keyEncryptionKeys.map((kek) => [kek.id, kek.dataKeys]));
  const running = rotation.running;
  return (
    <>
      <h1>Keys</h1>
      <section className="panel" aria-labelledby="keks">
        <h2 id="keks">Key-encryption keys</h2>
        <p className="muted">
          Every organization’s data keys are wrapped by a key-encryption key (KEK); the secrets are sealed by the data keys. Which keys are configured is set by the
          environment (README, “Key custody”); the current one wraps new keys.
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Where it lives</th>
              <th scope="col">Role</th>
              <th scope="col">Health</th>
              <th scope="col">Data keys it wraps</th>
            </tr>
          </thead>
          <tbody>
            {health.map((kek) => (
              <tr key={kek.id}>
                <td>
                  <code>{kek.id}</code>
                </td>
                <td>{PROVIDERS[kek.provider]}</td>
                <td>{kek.current ? 'Current' : 'Previous (unwraps only)'}</td>
                <td className={kek.usable ? undefined : 'field-error'}>{kek.usable ? 'Usable' : `Unavailable: ${kek.reason}`}</td>
                <td>{kek.current || (wraps.get(kek.id) ?? 0) > 0 ? (wraps.get(kek.id) ?? 0) : '0 — can be removed from the configuration'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {status.unknownKekIds.map((id) => (
          <p key={id} className="notice" role="alert">
            Key <code>{id}</code> wraps data keys but is not configured: what it wraps cannot be opened. Configure it again (STRONGROOM_KEK_PREVIOUS or its provider’s
            settings).
          </p>
        ))}
      </section>

      <section className="panel" aria-labelledby="rotation">
        <h2 id="rotation">Rotation</h2>
        {running ? (
          <p role="status">
            Rewrapping under <code>{running.targetKekId}</code> ({running.targetProvider}): {running.done} of {running.total} keys, started by {running.requestedBy} at{' '}
            {formatDateTime(running.startedAt)} UTC.{running.lastError ? ` Last attempt failed: ${running.lastError} It is tried again every 30 seconds.` : ''}
          </p>
        ) : (
          <p role="status">
            {stale === 0 ? 'Every key is wrapped under the current key.' : `${stale} key${stale === 1 ? ' is' : 's are'} not yet wrapped under the current key.`}
            {rotation.last?.finishedAt ? ` Last rotation: ${rotation.last.done} keys under ${rotation.last.targetKekId}, finished ${formatDateTime(rotation.last.finishedAt)} UTC, started by ${rotation.last.requestedBy}.` : ''}
          </p>
        )}
        <p className="muted">
          Rewrapping runs in the background in batches, while the server serves; it survives a restart and goes on where it stopped. After it, the previous keys wrap
          nothing and can be removed.
        </p>
        {running ? null : <KeyRotationButton />}
      </section>

      <section className="panel" aria-labelledby="shred">
        <h2 id="shred">Destroy this organization’s secrets</h2>
        <p>
          Crypto-shredding destroys every data key of <strong>{user.organizationName}</strong>, and with them every secret, token, secret version and staged change:
          nothing can open them again. Credentials are revoked (their status and history stay), pending change requests are withdrawn and webhook endpoints disabled.
          People keep their accounts and second factor. Backups made before still hold the old wrapped keys: to make those unreadable too, rotate to a new
          key-encryption key and destroy the old one. Under four-eyes approval it waits for a second administrator, like every production change.
        </p>
        <ShredOrganizationForm slug={user.organizationSlug} />
      </section>
    </>
  );
}
