import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, loginAs, openNewCredentialForm, test } from './fixtures';

/** A CA and a channel certificate it issued (RSA, made by OpenSSL), the certificate also as DER, and a key of another certificate. */
function makeChannelCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-sdi-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-subj', '/CN=SdI Test CA/O=Strongroom Test', '-days', '30');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('channel.key'), '-out', file('channel.csr'), '-subj', '/CN=SDI-CHANNEL-0001/O=Esempio SpA/C=IT');
  openssl('x509', '-req', '-in', file('channel.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('channel.pem'), '-days', '20');
  openssl('x509', '-in', file('channel.pem'), '-outform', 'DER', '-out', file('channel.der'));
  openssl('genpkey', '-algorithm', 'RSA', '-out', file('other.key'));
  return { dir, file, fingerprint: new X509Certificate(readFileSync(file('channel.pem'))).fingerprint256, privateKey: readFileSync(file('channel.key'), 'utf8') };
}

test('a certificate uploaded as files is checked against its key and CA, and its facts are shown, never the key', async ({ page }) => {
  const bodies: string[] = [];
  page.on('response', async (response) => {
    if (/html|x-component|json|text/.test(response.headers()['content-type'] ?? '')) bodies.push(await response.text().catch(() => ''));
  });
  const files = makeChannelCertificate();
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'SDI channel certificate');
  await page.getByLabel('Label').fill('SdI channel');
  await page.getByLabel('Certificate file').setInputFiles(files.file('channel.der'));
  await expect(page.locator('#field-certificate')).toHaveValue(/^-----BEGIN CERTIFICATE-----/);
  await page.getByLabel('Private key file').setInputFiles(files.file('other.key'));
  await page.getByLabel('CA certificates file').setInputFiles(files.file('ca.pem'));

  // A key of another certificate: refused on its field, nothing stored.
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByText('This private key does not belong to the certificate')).toBeVisible();
  await page.getByLabel('Private key file').setInputFiles(files.file('channel.key'));
  await page.getByRole('button', { name: 'Create credential' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText('SdI channel');
  const facts = page.getByRole('region', { name: 'Certificate' });
  await expect(facts).toContainText('CN=SDI-CHANNEL-0001, O=Esempio SpA, C=IT');
  await expect(facts).toContainText('CN=SdI Test CA, O=Strongroom Test');
  await expect(facts).toContainText(files.fingerprint);
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  expect(violations.map((v) => v.id)).toEqual([]);

  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('status').filter({ hasText: /chains to the configured CA/ })).toBeVisible();

  const keyBody = files.privateKey.split('\n')[1]!;
  for (const body of bodies) expect(body).not.toContain(keyBody);
});

test('a file that is neither PEM nor DER is refused in the browser', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-junk-'));
  writeFileSync(join(dir, 'notes.txt'), 'not a certificate');
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'Peppol access point certificate');
  await page.getByLabel('Certificate file').setInputFiles(join(dir, 'notes.txt'));
  await expect(page.getByText('notes.txt is not a PEM or DER file')).toBeVisible();
});

test('a PKCS#12 file that asks for 400,000 key-derivation rounds is refused at its field while the server keeps answering; an ordinary one is stored', async ({ page, request }) => {
  const dir = mkdtempSync(join(tmpdir(), 'strongroom-p12-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('key.pem'), '-out', file('cert.pem'), '-subj', '/CN=Strongroom PKCS12 Test', '-days', '30');
  for (const [name, iterations] of [['costly.p12', '400000'], ['ordinary.p12', '2048']] as const) {
    openssl('pkcs12', '-export', '-in', file('cert.pem'), '-inkey', file('key.pem'), '-passout', 'pass:p12-password', '-iter', iterations, '-out', file(name));
  }
  writeFileSync(file('huge.p12'), Buffer.alloc(70 * 1024, 0x30));
  await loginAs(page, 'ADMIN');
  await openNewCredentialForm(page, 'Gulf Trading FZ-LLC', 'X.509 certificate');
  await page.getByLabel('Label').fill('Bundle');
  // Over the limit: refused in the browser, before anything is sent.
  await page.getByLabel('PKCS#12 file (.p12 / .pfx)').setInputFiles(file('huge.p12'));
  await expect(page.getByText('huge.p12 is over 64 KiB: choose a smaller file')).toBeVisible();
  await page.getByLabel('PKCS#12 file (.p12 / .pfx)').setInputFiles(file('costly.p12'));
  await page.getByLabel('PKCS#12 password').fill('p12-password');
  await page.getByRole('button', { name: 'Create credential' }).click();
  // The file opens in a worker thread, so the health route answers while it is looked at.
  expect((await request.get('/api/health')).status()).toBe(200);
  await expect(page.getByText(/asks for more key-derivation work than Strongroom allows/)).toBeVisible();

  await page.getByLabel('PKCS#12 file (.p12 / .pfx)').setInputFiles(file('ordinary.p12'));
  await page.getByRole('button', { name: 'Create credential' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Bundle');
  await expect(page.getByRole('region', { name: 'Certificate' })).toContainText('CN=Strongroom PKCS12 Test');
});
