import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildEgsCsr, fatooraEnvironmentOf, generateEgsKey } from '@/lib/server/zatca/egs-csr';

const FIELDS = {
  commonName: 'EGS1-399999999900003',
  organizationUnit: 'Riyadh Branch',
  organizationName: 'Gulf Retail Co',
  egsSerial: '1-Strongroom|2-ERP 4.2|3-EGS-0001',
  vatNumber: '399999999900003',
  invoiceTypes: '1100',
  registeredAddress: 'King Fahd Road 1, Riyadh',
  businessCategory: 'Retail',
};

/** What OpenSSL prints of a CSR, and its verdict on the self-signature (OpenSSL 3 exits 0 either way and says it on stderr). */
function openssl(pem: string) {
  const run = spawnSync('openssl', ['req', '-noout', '-text', '-verify'], { input: pem, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`OpenSSL cannot read it: ${run.stderr}`);
  return { text: run.stdout, verdict: run.stderr };
}

describe('the EGS certificate request', () => {
  it('is what OpenSSL reads as ZATCA asks: secp256k1, ecdsa-with-SHA256, subject, SAN directory name, template name', () => {
    const { text } = openssl(buildEgsCsr(createPrivateKey(generateEgsKey()), FIELDS, 'simulation'));
    expect(text).toContain('ASN1 OID: secp256k1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toContain('Subject: C = SA, OU = Riyadh Branch, O = Gulf Retail Co, CN = EGS1-399999999900003');
    expect(text).toContain('DirName:/SN=1-Strongroom|2-ERP 4.2|3-EGS-0001/UID=399999999900003/title=1100/registeredAddress=King Fahd Road 1, Riyadh/businessCategory=Retail');
    expect(text).toContain('PREZATCA-Code-Signing');
  });

  it('carries a self-signature OpenSSL verifies, and one it refuses once a byte of the request changes', () => {
    const pem = buildEgsCsr(createPrivateKey(generateEgsKey()), FIELDS, 'core');
    expect(openssl(pem).verdict).toContain('self-signature verify OK');
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64');
    const at = der.indexOf(Buffer.from('Riyadh Branch'));
    der[at] = 'X'.charCodeAt(0);
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(openssl(tampered).verdict).toContain('self-signature verify failure');
  });

  it('names the template of the Fatoora environment in its URL', () => {
    expect(fatooraEnvironmentOf('https://gw-fatoora.zatca.gov.sa/e-invoicing/core')).toBe('core');
    expect(fatooraEnvironmentOf('https://gw-fatoora.zatca.gov.sa/e-invoicing/simulation/')).toBe('simulation');
    expect(fatooraEnvironmentOf('https://gw-fatoora.zatca.gov.sa/e-invoicing/developer-portal')).toBe('developer-portal');
  });
});
