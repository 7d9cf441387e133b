import 'server-only';
import { z } from 'zod';
import { pemBlock } from '@/lib/pem-files';
import { guardedFetch, OutboundError, type OutboundPolicy } from '@/lib/server/net/guarded-fetch';
import { scrubSecrets } from '@/lib/server/net/provider-text';

// ZATCA's onboarding API (Fatoora): POST /compliance (OTP + CSR → compliance CSID), POST
// /production/csids (compliance CSID + its request id → production CSID), PATCH /production/csids
// (current production CSID + OTP + a new CSR → renewed CSID). A CSID is a certificate (the
// binarySecurityToken: base64 of the certificate's base64 DER) with its secret; the API
// authenticates with HTTP Basic `binarySecurityToken:secret`.

export interface Csid {
  binarySecurityToken: string;
  secret: string;
  requestId: string;
}

export type FatooraResult = { ok: true; csid: Csid } | { ok: false; code: string; message: string; httpStatus?: number };

const ZCsid = z.object({ binarySecurityToken: z.string().min(1), secret: z.string().min(1), requestID: z.union([z.string(), z.number()]).transform(String) });

/** The certificate of a CSID, as PEM. */
export const certificateOfCsid = (binarySecurityToken: string) => pemBlock('CERTIFICATE', Buffer.from(binarySecurityToken, 'base64').toString('ascii'));

/** The binarySecurityToken of a certificate (PEM): base64 of its base64 DER. */
export const binarySecurityTokenOf = (certificatePem: string) => Buffer.from(certificatePem.replace(/-----[A-Z ]+-----|\s+/g, ''), 'ascii').toString('base64');

const basic = (csid: { binarySecurityToken: string; secret: string }) => `Basic ${Buffer.from(`${csid.binarySecurityToken}:${csid.secret}`).toString('base64')}`;
const csrBody = (csrPem: string) => ({ csr: Buffer.from(csrPem, 'utf8').toString('base64') });

export function requestComplianceCsid(apiBaseUrl: string, { otp, csrPem }: { otp: string; csrPem: string }, policy: OutboundPolicy) {
  return call(apiBaseUrl, 'POST', '/compliance', { headers: { OTP: otp }, body: csrBody(csrPem), secrets: [otp] }, policy);
}

export function requestProductionCsid(apiBaseUrl: string, compliance: Csid, policy: OutboundPolicy) {
  return call(apiBaseUrl, 'POST', '/production/csids', { headers: { authorization: basic(compliance) }, body: { compliance_request_id: compliance.requestId }, secrets: [compliance.secret] }, policy);
}

export function renewProductionCsid(apiBaseUrl: string, current: { binarySecurityToken: string; secret: string }, { otp, csrPem }: { otp: string; csrPem: string }, policy: OutboundPolicy) {
  return call(apiBaseUrl, 'PATCH', '/production/csids', { headers: { authorization: basic(current), OTP: otp }, body: csrBody(csrPem), secrets: [otp, current.secret] }, policy);
}

async function call(
  apiBaseUrl: string,
  method: 'POST' | 'PATCH',
  path: string,
  { headers, body, secrets }: { headers: Record<string, string>; body: unknown; secrets: string[] },
  policy: OutboundPolicy,
): Promise<FatooraResult> {
  try {
    const response = await guardedFetch(
      `${apiBaseUrl.replace(/\/+$/, '')}${path}`,
      { method, headers: { accept: 'application/json', 'content-type': 'application/json', 'accept-version': 'V2', 'accept-language': 'en', ...headers }, body: JSON.stringify(body) },
      policy,
    );
    const httpStatus = response.status;
    if (response.ok) {
      const parsed = ZCsid.safeParse(await response.json().catch(() => null));
      if (parsed.success) return { ok: true, csid: { binarySecurityToken: parsed.data.binarySecurityToken, secret: parsed.data.secret, requestId: parsed.data.requestID } };
      return { ok: false, code: 'invalid_response', message: 'ZATCA answered without a CSID.', httpStatus };
    }
    await response.body?.cancel();
    if (httpStatus === 401) return { ok: false, code: 'unauthorized', message: 'ZATCA refused the credential (HTTP 401): check the CSID, or ask the Fatoora portal for a new OTP.', httpStatus };
    if (httpStatus === 400 || httpStatus === 406) return { ok: false, code: 'refused', message: `ZATCA refused the request (HTTP ${httpStatus}): an OTP that is wrong or used, or a CSR field it does not accept.`, httpStatus };
    if (httpStatus === 429 || httpStatus >= 500) return { ok: false, code: 'unavailable', message: `ZATCA is unavailable (HTTP ${httpStatus}); nothing was stored, try again later.`, httpStatus };
    return { ok: false, code: 'http_error', message: `ZATCA answered HTTP ${httpStatus}.`, httpStatus };
  } catch (error) {
    if (error instanceof OutboundError) return { ok: false, code: error.code, message: scrubSecrets(error.message, secrets) };
    throw error;
  }
}
