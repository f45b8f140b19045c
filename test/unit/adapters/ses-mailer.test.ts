import { describe, expect, it } from 'vitest';
import { AwsHttpClient } from '../../../lambdas/adapters/aws-http';
import { SesMailer } from '../../../lambdas/adapters/ses-mailer';
import { fakeFetch, jsonResponse } from './fake-fetch';

describe('SesMailer (SES v2 SendEmail)', () => {
  it('posts one simple message with text and HTML parts to the payer', async () => {
    // Prepare
    const { fetch, calls } = fakeFetch(jsonResponse(200, { MessageId: 'm-1' }));
    const http = new AwsHttpClient({ service: 'ses', region: 'eu-west-1', credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'S' }), fetch });
    const mailer = new SesMailer(http, 'https://email.eu-west-1.amazonaws.com', 'orders@example.com', 'uplock');

    // Act
    await mailer.send('payer@example.com', { subject: 'Your result', text: 'plain', html: '<p>html</p>' });

    // Assess
    expect(calls[0]?.url).toBe('https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails');
    expect(calls[0]?.headers.get('authorization')).toContain('/eu-west-1/ses/aws4_request');
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual({
      FromEmailAddress: 'orders@example.com',
      Destination: { ToAddresses: ['payer@example.com'] },
      ConfigurationSetName: 'uplock',
      Content: {
        Simple: {
          Subject: { Data: 'Your result', Charset: 'UTF-8' },
          Body: { Text: { Data: 'plain', Charset: 'UTF-8' }, Html: { Data: '<p>html</p>', Charset: 'UTF-8' } },
        },
      },
    });
  });

  it('surfaces a refusal (unverified sender) as an error', async () => {
    const { fetch } = fakeFetch(jsonResponse(400, { message: 'Email address is not verified.' }, { 'x-amzn-errortype': 'MessageRejected:http://internal.amazon.com/' }));
    const http = new AwsHttpClient({ service: 'ses', region: 'eu-west-1', credentials: async () => ({ accessKeyId: 'A', secretAccessKey: 'S' }), fetch });
    await expect(new SesMailer(http, 'https://email.eu-west-1.amazonaws.com', 'orders@example.com').send('a@b.c', { subject: 's', text: 't', html: 'h' })).rejects.toMatchObject({
      code: 'MessageRejected',
    });
  });
});
