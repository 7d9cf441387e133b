import { describe, expect, it } from 'vitest';
import { CREDENTIAL_PROFILES, credentialFormSchema, profileDefinition, type TCredentialProfile } from '@/lib/schemas/credential-profiles';

// Every field of every profile, with odd input: a schema answers with messages, it never throws (a
// throw in a refinement leaves the browser's form silent: nothing shown, nothing sent).
const ODD = ['', ' ', '   \t ', '://', 'api.example.com/oauth/token', 'http//x', 'https://', 'https://exa mple.com', 'ünïcödé 🚀', '\u0000', '\r\n=1+1', 'x'.repeat(10_000), '-----BEGIN CERTIFICATE-----', '[::1', 'https://[::1'];

describe('credential profile schemas', () => {
  const profiles = Object.keys(CREDENTIAL_PROFILES) as TCredentialProfile[];
  it.each(profiles)('%s: every field refuses odd input with a message, never a throw', (id) => {
    const profile = profileDefinition(id)!;
    for (const mode of ['create', 'edit'] as const) {
      const schema = credentialFormSchema(profile, mode);
      for (const field of profile.fields) {
        for (const value of ODD) {
          const values = Object.fromEntries(profile.fields.map((f) => [f.name, f.name === field.name ? value : undefined]));
          let parsed: ReturnType<typeof schema.safeParse> | undefined;
          expect(() => (parsed = schema.safeParse({ label: value, environment: 'SANDBOX', values })), `${id}.${field.name} = ${JSON.stringify(value.slice(0, 30))}`).not.toThrow();
          if (parsed && !parsed.success) expect(parsed.error.issues.every((issue) => issue.message.length > 0)).toBe(true);
        }
      }
    }
  });

  it('a URL without a scheme gets the field’s message', () => {
    const profile = profileDefinition('oauth2-client-credentials')!;
    const parsed = credentialFormSchema(profile, 'create').safeParse({ label: 'x', environment: 'SANDBOX', values: { tokenUrl: 'api.example.com/oauth/token', clientId: 'c', clientSecret: 's' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.find((issue) => issue.path.join('.') === 'values.tokenUrl')?.message).toBe('Enter a full URL such as https://api.example.com');
  });
});
