/**
 * Mailer on SES v2's SendEmail, through `@aws-sdk/client-sesv2` (aws-ses-v2-local serves the same
 * API locally). In AWS every message names the stack's configuration set (lib/email.ts: bounce and
 * complaint suppression, TLS required); the local config names none.
 */
import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { loadConfig } from '../config';
import { once, sesSettings } from './clients';
import type { EmailMessage } from '../core/emails';
import type { Mailer } from '../ports/mailer';

/** The SendEmail input: one recipient, a text and an HTML part, both UTF-8. */
export function sendEmailInput(from: string, to: string, message: EmailMessage, configurationSetName?: string): SendEmailCommandInput {
  return {
    FromEmailAddress: from,
    Destination: { ToAddresses: [to] },
    ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
    Content: {
      Simple: {
        Subject: { Data: message.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
        ...(message.headers?.length ? { Headers: message.headers.map((h) => ({ Name: h.name, Value: h.value })) } : {}),
      },
    },
  };
}

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
    private readonly configurationSetName?: string,
  ) {}

  async send(to: string, message: EmailMessage): Promise<void> {
    await this.ses.send(new SendEmailCommand(sendEmailInput(this.from, to, message, this.configurationSetName)));
  }
}

/** The process-wide Mailer, sending from the configured address through the configured set. */
export const mailer = once((): Mailer => {
  const config = loadConfig();
  return new SesMailer(new SESv2Client(sesSettings(config)), config.senderEmail, config.emailConfigurationSet);
});
