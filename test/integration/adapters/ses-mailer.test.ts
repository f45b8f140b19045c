/**
 * SesMailer against aws-ses-v2-local through the real SES v2 client: what arrives in the store,
 * and a 5xx retried by the SDK's own retry strategy.
 */
import { randomUUID } from 'node:crypto';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientSettings } from '../../../lambdas/adapters/clients';
import { SesMailer } from '../../../lambdas/adapters/ses-mailer';
import { FAULTS, REGION, startFaultProxy, startLocalServers, type FaultProxy, type LocalServers } from './servers';

let servers: LocalServers;
let proxy: FaultProxy;
let ses: SESv2Client;
let mailer: SesMailer;

beforeAll(async () => {
  servers = await startLocalServers();
  proxy = await startFaultProxy(servers.ses);
  ses = new SESv2Client(awsClientSettings(REGION, proxy.url));
  mailer = new SesMailer(ses, 'results@uplock.test');
});

afterAll(async () => {
  ses?.destroy();
  await proxy?.stop();
  await servers?.stop();
});

interface StoredEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

const sentTo = async (to: string): Promise<StoredEmail[]> =>
  ((await (await fetch(`${servers.ses}/store`)).json()) as { emails: StoredEmail[] }).emails.filter((e) => e.destination.to.includes(to));

const message = { subject: 'Your report — ü', text: 'Download: https://x.test/d/abc', html: '<p>Download: <a href="https://x.test/d/abc">here</a></p>' };

describe('SesMailer.send', () => {
  it('sends one email with subject, text and HTML as given', async () => {
    const to = `buyer-${randomUUID()}@example.com`;

    await mailer.send(to, message);

    const mine = await sentTo(to);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ from: 'results@uplock.test', subject: message.subject });
    expect(mine[0]?.body.text?.trim()).toBe(message.text);
    expect(mine[0]?.body.html).toContain('<a href="https://x.test/d/abc">here</a>');
  });

  it('retries a 500 with the SDK\'s own retry strategy and sends exactly once', async () => {
    const to = `retry-${randomUUID()}@example.com`;
    const before = proxy.requests;
    proxy.fail(2, FAULTS.sesInternal);

    await mailer.send(to, message);

    expect(proxy.requests - before).toBe(3);
    expect(await sentTo(to)).toHaveLength(1);
  });

  it('rejects with the SES error once its attempts are spent, and nothing is sent', async () => {
    const to = `fail-${randomUUID()}@example.com`;
    proxy.fail(10, FAULTS.sesInternal);

    const error = await mailer.send(to, message).catch((e: unknown) => e);
    proxy.fail(0, FAULTS.sesInternal);

    expect(error).toMatchObject({ $metadata: { httpStatusCode: 500 } });
    expect(await sentTo(to)).toHaveLength(0);
  });

  it('names the configuration set on SendEmail when config has one, and sends without one when it has none', async () => {
    const bodies: string[] = [];
    const recording = new SESv2Client(awsClientSettings(REGION, servers.ses));
    recording.middlewareStack.add(
      (next) => async (args) => {
        const { body } = args.request as { body?: unknown };
        bodies.push(body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body));
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordBody' },
    );
    const to = `set-${randomUUID()}@example.com`;

    await new SesMailer(recording, 'results@uplock.test', 'uplock-emails').send(to, message);
    await new SesMailer(recording, 'results@uplock.test').send(to, message);
    recording.destroy();

    expect(bodies.map((b) => (JSON.parse(b) as { ConfigurationSetName?: string }).ConfigurationSetName)).toEqual(['uplock-emails', undefined]);
    expect(await sentTo(to)).toHaveLength(2);
  });
});
