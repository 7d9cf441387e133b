import { z } from 'zod';

/** What a person calls a passkey ("MacBook Touch ID", "YubiKey 5C"). */
export const ZPasskeyName = z.string().trim().min(1, 'Give the passkey a name').max(60, 'At most 60 characters');

const b64url = z.string().max(16_384).regex(/^[A-Za-z0-9_-]*$/, 'not base64url');

/** The browser's answer to navigator.credentials.get(), as @simplewebauthn/browser hands it over. */
export const ZAuthenticationResponse = z.object({
  id: b64url.min(1),
  rawId: b64url.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64url.min(1),
    authenticatorData: b64url.min(1),
    signature: b64url.min(1),
    userHandle: b64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

/** The browser's answer to navigator.credentials.create(). */
export const ZRegistrationResponse = z.object({
  id: b64url.min(1),
  rawId: b64url.min(1),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64url.min(1),
    attestationObject: b64url.min(1),
    authenticatorData: b64url.optional(),
    transports: z.array(z.string().max(20)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url.optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
});

export const ZRegisterPasskey = z.object({ name: ZPasskeyName, response: ZRegistrationResponse });

export const ZRemovePasskey = z.object({ passkeyId: z.uuid() });
export const ZPasskeysForAdmins = z.object({ required: z.boolean() });

/** A user may keep this many passkeys. */
export const MAX_PASSKEYS = 10;
