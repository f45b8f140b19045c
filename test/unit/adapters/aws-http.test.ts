import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsError, AwsHttpClient, credentialsFrom, parseAwsError } from '../../../lambdas/adapters/aws-http';
import { fakeFetch, jsonResponse } from './fake-fetch';

// The AWS SigV4 test suite's credentials and clock (get-vanilla and friends).
const SUITE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SUITE_TIME = new Date('2015-08-30T12:36:00Z');

afterEach(() => {
  vi.useRealTimers();
});

describe('SigV4 signing (aws4fetch) against AWS published vectors', () => {
  it.each([
    ['get-vanilla', 'https://example.amazonaws.com/', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    ['get-vanilla-query-order-key-case', 'https://example.amazonaws.com/?Param2=value2&Param1=value1', 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'],
  ])('%s', async (_name, url, signature) => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(SUITE_TIME);
    const { fetch, calls } = fakeFetch(new Response('ok'));
    const client = new AwsHttpClient({ service: 'service', region: 'us-east-1', credentials: async () => SUITE, fetch });

    // Act
    await client.send({ method: 'GET', url });

    // Assess
    expect(calls[0]?.headers.get('authorization')).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    );
    expect(calls[0]?.headers.get('x-amz-date')).toBe('20150830T123600Z');
  });

  it('presigns the S3 documentation example GET (examplebucket/test.txt, 24 h)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2013-05-24T00:00:00Z'));
    const client = new AwsHttpClient({
      service: 's3',
      region: 'us-east-1',
      credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }),
    });

    const url = new URL(await client.presignUrl('https://examplebucket.s3.amazonaws.com/test.txt', 86400));

    expect(url.searchParams.get('X-Amz-Signature')).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
    expect(url.searchParams.get('X-Amz-Credential')).toBe('AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request');
  });

  it('writes presigned query values in the strict encoding it signed (no "+" for spaces)', async () => {
    const client = new AwsHttpClient({ service: 's3', region: 'us-east-1', credentials: async () => SUITE });
    const url = await client.presignUrl(`https://b.s3.us-east-1.amazonaws.com/k?response-content-disposition=${encodeURIComponent('attachment; filename="a b.csv"')}`, 60);
    expect(url).toContain('response-content-disposition=attachment%3B%20filename%3D%22a%20b.csv%22');
    expect(url).not.toContain('+');
  });

  it('signs the session token of temporary credentials', async () => {
    const { fetch, calls } = fakeFetch(new Response('ok'));
    const client = new AwsHttpClient({ service: 'dynamodb', region: 'eu-west-1', credentials: async () => ({ ...SUITE, sessionToken: 'TOKEN' }), fetch });
    await client.send({ method: 'POST', url: 'https://dynamodb.eu-west-1.amazonaws.com/', body: '{}' });
    expect(calls[0]?.headers.get('x-amz-security-token')).toBe('TOKEN');
    expect(calls[0]?.headers.get('authorization')).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token');
  });
});

describe('retries', () => {
  const client = (fetch: typeof globalThis.fetch) =>
    new AwsHttpClient({ service: 'dynamodb', region: 'us-east-1', credentials: async () => SUITE, fetch, backoffBaseMs: 1 });

  it.each([
    ['throttling', jsonResponse(400, { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' })],
    ['a 500', jsonResponse(500, { __type: 'InternalServerError' })],
    ['a 503 without a body', new Response('', { status: 503 })],
    ['a network failure', new TypeError('fetch failed')],
  ])('tries again after %s', async (_what, first) => {
    const { fetch, calls } = fakeFetch(first, jsonResponse(200, { ok: true }));
    const response = await client(fetch).send({ method: 'POST', url: 'https://dynamodb.us-east-1.amazonaws.com/', body: '{}' });
    expect(await response.json()).toEqual({ ok: true });
    expect(calls).toHaveLength(2);
  });

  it('gives up after three attempts with the last error', async () => {
    const throttled = () => jsonResponse(400, { __type: 'ThrottlingException', message: 'rate' });
    const { fetch, calls } = fakeFetch(throttled, throttled, throttled);
    const failure = client(fetch).send({ method: 'POST', url: 'https://dynamodb.us-east-1.amazonaws.com/', body: '{}' });
    await expect(failure).rejects.toMatchObject({ code: 'ThrottlingException', status: 400 });
    expect(calls).toHaveLength(3);
  });

  it('does not retry a request AWS refused for its content', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse(400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'no' }));
    const failure = client(fetch).send({ method: 'POST', url: 'https://dynamodb.us-east-1.amazonaws.com/', body: '{}' });
    await expect(failure).rejects.toBeInstanceOf(AwsError);
    await expect(failure).rejects.toMatchObject({ code: 'ConditionalCheckFailedException' });
    expect(calls).toHaveLength(1);
  });
});

describe('parseAwsError', () => {
  it.each([
    ['JSON __type', 400, {}, '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}', 'ResourceNotFoundException', 'no table'],
    ['REST-JSON header', 404, { 'x-amzn-errortype': 'NotFoundException:http://internal.amazon.com/' }, '{"message":"gone"}', 'NotFoundException', 'gone'],
    ['S3 XML', 404, {}, '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>', 'NoSuchKey', 'The specified key does not exist.'],
    ['an empty 404', 404, {}, '', 'NotFound', 'HTTP 404'],
  ])('reads %s', (_what, status, headers, body, code, message) => {
    expect(parseAwsError(status, new Headers(headers), body)).toEqual({ code, message });
  });
});

describe('credentials', () => {
  it('takes the Lambda role keys from the environment', async () => {
    const provider = credentialsFrom({ accessKeyId: 'AKID', secretAccessKey: 'S', sessionToken: 'T' });
    await expect(provider()).resolves.toEqual({ accessKeyId: 'AKID', secretAccessKey: 'S', sessionToken: 'T' });
  });

  it('fetches the Fargate task role from the container endpoint once, until shortly before expiry', async () => {
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    const { fetch, calls } = fakeFetch(jsonResponse(200, { AccessKeyId: 'ASIA', SecretAccessKey: 'S', Token: 'T', Expiration: expiration }));
    const provider = credentialsFrom({ containerCredentialsUrl: 'http://169.254.170.2/v2/credentials/abc', containerAuthorizationToken: 'auth' }, fetch);

    const first = await provider();
    const second = await provider();

    expect(first).toEqual({ accessKeyId: 'ASIA', secretAccessKey: 'S', sessionToken: 'T' });
    expect(second).toBe(first);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('http://169.254.170.2/v2/credentials/abc');
    expect(calls[0]?.headers.get('authorization')).toBe('auth');
  });

  it('fails with the variables to set when there are none', async () => {
    await expect(credentialsFrom({})()).rejects.toThrow(/AWS_ACCESS_KEY_ID/);
  });
});
