import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pemFromFile } from '@/lib/pem-files';
import { makeCertificate } from '@/lib/server/test-support/certificates';

describe('certificate and key files', () => {
  const pair = makeCertificate();
  const der = (args: string[], input: string) => new Uint8Array(execFileSync('openssl', args, { input }));

  it('reads PEM and CRT text as it is, and DER as the same certificate and key in PEM', () => {
    expect(pemFromFile(new TextEncoder().encode(`Bag Attributes\n${pair.certificate}`), 'CERTIFICATE')).toBe(pair.certificate.trim());
    const certificate = pemFromFile(der(['x509', '-outform', 'DER'], pair.certificate), 'CERTIFICATE');
    expect(new X509Certificate(certificate!).fingerprint256).toBe(new X509Certificate(pair.certificate).fingerprint256);
    const key = pemFromFile(der(['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER'], pair.privateKey), 'PRIVATE KEY');
    expect(createPrivateKey(key!).export({ format: 'jwk' })).toEqual(createPrivateKey(pair.privateKey).export({ format: 'jwk' }));
  });

  it('refuses anything else', () => {
    expect(pemFromFile(new TextEncoder().encode('hello'), 'CERTIFICATE')).toBeNull();
    expect(pemFromFile(new Uint8Array([0x30, 0x82, 0x10, 0x00, 1, 2, 3]), 'CERTIFICATE')).toBeNull();
  });
});
