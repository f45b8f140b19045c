import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeployConfigError, loadDeployConfig, mergeConfigSources, parseDeployConfig } from '../../lib/config';
import { cdkJson } from './support';

const defaults = cdkJson.context.uplock as Record<string, unknown>;
const withValue = (patch: Record<string, unknown>) => mergeConfigSources(defaults, patch);

describe('deploy config', () => {
  it('accepts the defaults shipped in cdk.json and fills in the optional keys', () => {
    const config = parseDeployConfig(defaults);

    expect(config.jobRuntime).toBe('lambda');
    expect(config.apiThrottle).toEqual({ rateLimit: 50, burstLimit: 100 });
    expect(config.stripe.livemode).toBe(false);
  });

  it.each([
    ['senderEmail', { senderEmail: 'not-an-address' }, /senderEmail: expected an email address/],
    ['price.amount', { price: { amount: 4.5, currency: 'usd' } }, /price\.amount: expected a positive whole number/],
    ['price.currency', { price: { amount: 500, currency: 'USD' } }, /price\.currency: expected a lower-case ISO 4217/],
    ['acceptedExtensions', { acceptedExtensions: ['csv'] }, /acceptedExtensions\.0: expected a lower-case file extension with its dot/],
    ['jobRuntime', { jobRuntime: 'ec2' }, /jobRuntime: expected "lambda" or "fargate"/],
    ['maxUploadBytes', { maxUploadBytes: 6 * 1024 ** 3 }, /maxUploadBytes: expected at most 5368709120 bytes/],
    ['certificateArn region', { domainName: 'files.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }, /certificateArn: expected an ACM certificate ARN in us-east-1/],
    ['domain without certificate', { domainName: 'files.example.com' }, /certificateArn: expected an ACM certificate ARN \(us-east-1\) because domainName is set/],
    ['hosted zone of another domain', { domainName: 'files.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc', hostedZone: { id: 'Z0123456789ABC', name: 'example.org' } }, /hostedZone\.name: expected the zone of domainName/],
    ['senderDomain', { senderDomain: 'other.com' }, /senderDomain: expected the domain of senderEmail/],
    ['stripe.paymentLinkId', { stripe: { paymentLinkId: 'link_123' } }, /stripe\.paymentLinkId: expected a Payment Link id like "plink_/],
    ['stripe.eventBusName', { stripe: { eventBusName: 'default' } }, /stripe\.eventBusName: expected a Stripe partner event bus name/],
    ['missing object', { product: null }, /product: expected an object \{name, description\}/],
    ['unknown key', { sendrEmail: 'a@b.co' }, /\(root\): unknown key\(s\) "sendrEmail"/],
  ])('rejects a bad %s, naming the key and what is expected', (_name, patch, message) => {
    expect(() => parseDeployConfig(withValue(patch))).toThrow(message);
  });

  it('names a missing required key', () => {
    const { retentionDays: _dropped, ...rest } = defaults;

    expect(() => parseDeployConfig(rest)).toThrow(/retentionDays: expected a positive whole number/);
  });

  it('lets uplock.config.json override single keys of the cdk.json context', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'uplock-config-'));
    const file = path.join(dir, 'uplock.config.json');
    writeFileSync(file, JSON.stringify({ senderEmail: 'shop@files.example.net', stripe: { livemode: true } }));

    const config = loadDeployConfig(defaults, file);

    expect(config.senderEmail).toBe('shop@files.example.net');
    expect(config.stripe.livemode).toBe(true);
    expect(config.price).toEqual(defaults.price);
  });

  it('accepts the context as a JSON string (cdk -c uplock=...) and fails clearly without any config', () => {
    expect(loadDeployConfig(JSON.stringify(defaults)).senderEmail).toBe(defaults.senderEmail);
    expect(() => loadDeployConfig(undefined, path.join(tmpdir(), 'no-such-uplock.config.json'))).toThrow(DeployConfigError);
    expect(() => loadDeployConfig(undefined)).toThrow(/no config found/);
  });
});
