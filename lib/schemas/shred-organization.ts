import { z } from 'zod';

/** Crypto-shredding asks for the organization's short name, typed: a click alone destroys nothing. */
export const shredConfirmation = (slug: string) =>
  z.object({ confirmation: z.string().trim().max(200).refine((typed) => typed === slug, `Type the organization’s short name, ${slug}, exactly`) });
export type TShredConfirmation = z.input<ReturnType<typeof shredConfirmation>>;
