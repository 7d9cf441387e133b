import 'server-only';
import nodemailer from 'nodemailer';
import { env } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends a mail; resolves true once the server accepted it, false if it did not (logged, without the mail's content). */
export type Mailer = (mail: Mail) => Promise<boolean>;

/** A mailer for an SMTP server (nodemailer); the mail's text may hold a link that works once, so it is never logged. */
export function smtpMailer({ url, from }: { url: string; from: string }): Mailer {
  // Timeouts: a mail server that does not answer delays only its own mail, never a job or a page.
  const transport = nodemailer.createTransport(url, { from, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  return async (mail) => {
    try {
      await transport.sendMail(mail);
      return true;
    } catch (error) {
      logger().warn({ event: 'mail.failed', subject: mail.subject, code: (error as { code?: string }).code ?? 'unknown' }, 'mail not sent');
      return false;
    }
  };
}

let configured: Mailer | null | undefined;

/** The process's mailer from SMTP_URL and SMTP_FROM; null when mail is not configured. */
export function mailer(): Mailer | null {
  if (configured === undefined) {
    const { SMTP_URL, SMTP_FROM } = env();
    configured = SMTP_URL && SMTP_FROM ? smtpMailer({ url: SMTP_URL, from: SMTP_FROM }) : null;
  }
  return configured;
}
