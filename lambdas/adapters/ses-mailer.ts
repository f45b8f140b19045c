/** Mailer on SES v2's SendEmail (aws-ses-v2-local serves the same API locally). */
import { loadConfig } from '../config';
import { AwsHttpClient, serviceUrl } from './aws-http';
import { clientOptions, once } from './clients';
import type { EmailMessage } from '../core/emails';
import type { Mailer } from '../ports/mailer';

/** The SendEmail request body (REST-JSON `POST /v2/email/outbound-emails`). */
export function sendEmailRequest(from: string, to: string, message: EmailMessage, configurationSetName?: string): Record<string, unknown> {
  return {
    FromEmailAddress: from,
    Destination: { ToAddresses: [to] },
    ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
    Content: {
      Simple: {
        Subject: { Data: message.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
      },
    },
  };
}

export class SesMailer implements Mailer {
  private readonly url: string;

  constructor(
    private readonly ses: AwsHttpClient,
    baseUrl: string,
    private readonly from: string,
    private readonly configurationSetName?: string,
  ) {
    this.url = `${baseUrl}/v2/email/outbound-emails`;
  }

  async send(to: string, message: EmailMessage): Promise<void> {
    const response = await this.ses.send({
      method: 'POST',
      url: this.url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sendEmailRequest(this.from, to, message, this.configurationSetName)),
    });
    await response.body?.cancel();
  }
}

/** The process-wide Mailer, sending from the configured address. */
export const mailer = once((): Mailer => {
  const config = loadConfig();
  const { region, endpoint, credentials } = clientOptions(config, config.endpoints.ses);
  const http = new AwsHttpClient({ service: 'ses', region, credentials });
  return new SesMailer(http, serviceUrl(endpoint, `email.${region}.amazonaws.com`), config.senderEmail);
});
