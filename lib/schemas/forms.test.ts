import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as accounts from '@/lib/schemas/accounts';
import * as dashboardFilters from '@/lib/schemas/dashboard-filters';
import * as governance from '@/lib/schemas/governance';
import * as ksef from '@/lib/schemas/ksef';
import * as legalEntity from '@/lib/schemas/legal-entity';
import * as organizationSettings from '@/lib/schemas/organization-settings';
import * as serviceAccount from '@/lib/schemas/service-account';
import * as signIn from '@/lib/schemas/sign-in';
import * as stepUp from '@/lib/schemas/step-up';
import * as zatca from '@/lib/schemas/zatca';

// Every form's schema (users, entities, approvals, settings, service accounts, sign-in, step-up,
// onboarding), every field, with empty, blank, overlong, unicode and control-character input: it
// answers with messages, it never throws.
const ODD = ['', ' ', '\t \n', 'x'.repeat(100_000), 'ünïcödé 🚀 عربي', '\u0000\u0007\u001b[31m', '\r\n=cmd|/c calc', '<script>alert(1)</script>', '../../etc/passwd', '0', '-1', '1e309', 'NaN'];

const modules = { accounts, dashboardFilters, governance, ksef, legalEntity, organizationSettings, serviceAccount, signIn, stepUp, zatca };
const schemas = Object.entries(modules).flatMap(([module, exports]) =>
  Object.entries(exports).flatMap(([name, value]) => (value instanceof z.ZodObject ? [[`${module}.${name}`, value] as const] : [])),
);

describe('form schemas with odd input', () => {
  it('finds the forms’ schemas', () => expect(schemas.length).toBeGreaterThan(15));

  it.each(schemas)('%s: a message for every odd value of every field, never a throw', (_, schema) => {
    for (const key of Object.keys(schema.shape)) {
      for (const value of ODD) {
        let parsed: ReturnType<typeof schema.safeParse> | undefined;
        expect(() => (parsed = schema.safeParse({ [key]: value })), `${key} = ${JSON.stringify(value.slice(0, 20))}`).not.toThrow();
        if (parsed && !parsed.success) expect(parsed.error.issues.every((issue) => issue.message.trim().length > 0)).toBe(true);
      }
    }
  });
});
