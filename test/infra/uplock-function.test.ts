/**
 * The shared function construct on its own: defaults, the caller's environment, and bind…
 * methods that grant and configure together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { esbuildTarget, esmRequireBanner, handlerEntry, lambdaRuntime, nodejsBundlingOptions } from '../../lib/bundling';
import { baseRuntimeConfig } from '../../lib/config';
import { UplockFunction } from '../../lib/uplock-function';
import { defaultConfig } from './support';
import { grantLines, grantsOfRole, joinWithPlaceholders, logicalId, render } from './template-tools';

function setup(options: { bundle?: boolean } = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'uplock-fn-'));
  const app = new App({ outdir, context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
  const bucket = new s3.Bucket(stack, 'Bucket');
  const secret = new secretsmanager.Secret(stack, 'Secret');
  const config = baseRuntimeConfig(defaultConfig(), { region: 'us-east-1', tableName: 'base-table', bucketName: 'base-bucket', siteUrl: 'https://shop.example.com' });
  return { app, stack, table, bucket, secret, config, outdir };
}

const grantsOf = (stack: Stack, fn: UplockFunction) =>
  grantLines(grantsOfRole(Template.fromStack(stack), logicalId(fn.role ?? fn))).filter((l) => !l.startsWith('logs:'));

const configOf = (stack: Stack, fn: UplockFunction) => {
  const resource = Template.fromStack(stack).findResources('AWS::Lambda::Function')[logicalId(fn)] as { Properties: { Environment: { Variables: Record<string, unknown> } } };
  return JSON.parse(joinWithPlaceholders(resource.Properties.Environment.Variables.UPLOCK_CONFIG, (x) => render(x).replace(/"/g, ''))) as Record<string, unknown> & { stripe: Record<string, unknown> };
};

describe('UplockFunction', () => {
  it('keeps every variable the caller passes and adds UPLOCK_CONFIG', () => {
    const { stack, config } = setup();

    const fn = new UplockFunction(stack, 'Fn', { entry: handlerEntry('get-config'), config, environment: { NODE_OPTIONS: '--max-old-space-size=256', EXTRA: 'kept' } });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { NODE_OPTIONS: '--max-old-space-size=256', EXTRA: 'kept', UPLOCK_CONFIG: Match.stringLikeRegexp('"tableName":"base-table"') } },
    });
    expect(fn.runtimeConfig.tableName).toBe('base-table');
  });

  it('refuses UPLOCK_CONFIG in environment: the config goes through `config`, so bindings can extend it', () => {
    const { stack, config } = setup();

    expect(() => new UplockFunction(stack, 'Fn', { entry: handlerEntry('get-config'), config, environment: { UPLOCK_CONFIG: '{}' } })).toThrow(/pass the runtime config as `config`/);
  });

  it.each([
    ['read', ['dynamodb:GetItem', 'dynamodb:Query']],
    ['write', ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
    ['readwrite', ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']],
  ] as const)('bindTable(%s) grants exactly those item actions and names the table', (access, actions) => {
    const { stack, config, table } = setup();
    const fn = new UplockFunction(stack, 'Fn', { entry: handlerEntry('get-config'), config });

    fn.bindTable(table, access);

    expect(grantsOf(stack, fn)).toEqual(actions.map((a) => `${a} <${logicalId(table)}.Arn>`));
    expect(configOf(stack, fn).tableName).toBe(`<${logicalId(table)}>`);
  });

  it('bindTable reaches a GSI only with read access', () => {
    const { stack, config, table } = setup();
    const fn = new UplockFunction(stack, 'Fn', { entry: handlerEntry('get-config'), config });

    expect(() => fn.bindTable(table, 'write', { indexes: ['byEmail'] })).toThrow(/need read access/);
    fn.bindTable(table, 'read', { indexes: ['byEmail'] });
    expect(grantsOf(stack, fn)).toContain(`dynamodb:Query <${logicalId(table)}.Arn>/index/byEmail`);
  });

  it('bindBucket grants object actions under the prefixes only and rejects anything that is not a folder prefix', () => {
    const { stack, config, bucket } = setup();
    const fn = new UplockFunction(stack, 'Fn', { entry: handlerEntry('get-config'), config });

    fn.bindBucket(bucket, { write: ['uploads/'] });

    expect(grantsOf(stack, fn)).toEqual([`s3:PutObject <${logicalId(bucket)}.Arn>/uploads/*`]);
    expect(configOf(stack, fn).bucketName).toBe(`<${logicalId(bucket)}>`);
    for (const prefix of ['uploads', '*', '', 'a/../b/']) {
      expect(() => fn.bindBucket(bucket, { read: [prefix] }), prefix).toThrow(/must be a folder/);
    }
    expect(() => fn.bindBucket(bucket, {})).toThrow(/at least one/);
  });

  it('bindSecret grants GetSecretValue on that secret only and puts its ARN, not its value, in the config', () => {
    const { stack, config, secret } = setup();
    const fn = new UplockFunction(stack, 'Fn', { entry: handlerEntry('get-config'), config });

    fn.bindSecret(secret, 'webhookSecret');

    expect(grantsOf(stack, fn)).toEqual([`secretsmanager:GetSecretValue <${logicalId(secret)}>`]);
    expect(configOf(stack, fn).stripe).toMatchObject({ webhookSecretSecretId: `<${logicalId(secret)}>` });
    expect(configOf(stack, fn).stripe).not.toHaveProperty('secretKeySecretId');
  });

  it('keeps each function\'s bindings to itself even when they share one base config', () => {
    const { stack, config, secret } = setup();
    const a = new UplockFunction(stack, 'A', { entry: handlerEntry('get-config'), config });
    const b = new UplockFunction(stack, 'B', { entry: handlerEntry('get-config'), config });

    a.bindSecret(secret, 'secretKey');

    expect(configOf(stack, a).stripe).toHaveProperty('secretKeySecretId');
    expect(configOf(stack, b).stripe).not.toHaveProperty('secretKeySecretId');
    expect(config.stripe).not.toHaveProperty('secretKeySecretId');
  });

  it('bundles an ESM, minified handler with the createRequire banner and a linked source map, with local esbuild', () => {
    const { stack, config, app, outdir } = setup({ bundle: true });
    new UplockFunction(stack, 'Fn', { entry: handlerEntry('get-config'), config });
    app.synth();

    const assetDir = readdirSync(outdir).map((d) => path.join(outdir, d)).find((d) => safeList(d).includes('index.mjs'));
    const code = readFileSync(path.join(assetDir ?? '', 'index.mjs'), 'utf8');

    expect(nodejsBundlingOptions()).toMatchObject({ forceDockerBundling: false, bundleAwsSDK: true, minify: true, format: 'esm' });
    expect(nodejsBundlingOptions()).not.toHaveProperty('externalModules');
    expect(code.startsWith(esmRequireBanner)).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(safeList(assetDir ?? '')).toContain('index.mjs.map');
    expect(code.split('\n').length).toBeLessThan(20);
  });

  it('bundles the AWS SDK a handler uses instead of leaving it to the runtime, for the runtime\'s Node version', () => {
    const { stack, config, app, outdir } = setup({ bundle: true });
    const fn = new UplockFunction(stack, 'Fn', { entry: handlerEntry('get-order'), config });
    app.synth();

    const assetDir = readdirSync(outdir).map((d) => path.join(outdir, d)).find((d) => safeList(d).includes('index.mjs'));
    const code = readFileSync(path.join(assetDir ?? '', 'index.mjs'), 'utf8');

    // No import or require of any SDK package is left: DynamoDB and S3 clients are inside.
    expect(code).not.toMatch(/from\s*"(@aws-sdk|@smithy)\/|import\(\s*"(@aws-sdk|@smithy)\//);
    expect(code).toContain('DynamoDB_20120810');
    expect(fn.runtime.name).toBe(lambdaRuntime.name);
    expect(esbuildTarget).toBe(`node${/^nodejs(\d+)\.x$/.exec(lambdaRuntime.name)?.[1]}`);
  });
});

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
