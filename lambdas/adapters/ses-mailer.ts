/** Mailer on SES v2 (aws-ses-v2-local serves the same API locally). */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { loadConfig } from '../config';
import { clientOptions, once } from './clients';
import type { EmailMessage } from '../core/emails';
import type { Mailer } from '../ports/mailer';

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
    private readonly configurationSetName?: string,
  ) {}

  async send(to: string, message: EmailMessage): Promise<void> {
    await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [to] },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
          },
        },
      }),
    );
  }
}

/** The process-wide Mailer, sending from the configured address. */
export const mailer = once((): Mailer => {
  const config = loadConfig();
  return new SesMailer(new SESv2Client(clientOptions(config, config.endpoints.ses)), config.senderEmail);
});
