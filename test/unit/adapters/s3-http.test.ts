import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3Http, signingKey } from '../../../lambdas/adapters/s3-http';
import { fakeFetch } from './fake-fetch';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('signingKey', () => {
  it("derives AWS's documented example key", () => {
    expect(signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam').toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });
});

describe('presigned POST (the browser upload form)', () => {
  const fields = { 'x-amz-meta-original-name': encodeURIComponent('Daten ü.csv'), 'Content-Type': 'text/csv' };
  const presign = (s3: S3Http) =>
    s3.presignPost({
      bucket: 'data-bucket',
      key: 'uploads/0b7c/input',
      conditions: [['content-length-range', 1, 5000], ...Object.entries(fields).map(([k, v]) => ({ [k]: v }))],
      fields,
      expiresInSeconds: 900,
      now: NOW,
    });

  it('carries the fields the SDK sent, in its order, and a policy that pins each of them', async () => {
    // Prepare
    const s3 = new S3Http({ region: 'eu-west-1', credentials: async () => ({ ...KEYS, sessionToken: 'SESSION' }) });

    // Act
    const post = await presign(s3);

    // Assess
    expect(post.url).toBe('https://data-bucket.s3.eu-west-1.amazonaws.com/');
    expect(Object.keys(post.fields)).toEqual([
      'x-amz-meta-original-name',
      'Content-Type',
      'bucket',
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Security-Token',
      'key',
      'Policy',
      'X-Amz-Signature',
    ]);
    expect(post.fields).toMatchObject({
      'x-amz-meta-original-name': 'Daten%20%C3%BC.csv',
      bucket: 'data-bucket',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/s3/aws4_request',
      'X-Amz-Date': '20260301T100000Z',
      'X-Amz-Security-Token': 'SESSION',
      key: 'uploads/0b7c/input',
    });
    expect(JSON.parse(Buffer.from(post.fields.Policy ?? '', 'base64').toString('utf8'))).toEqual({
      expiration: '2026-03-01T10:15:00Z',
      conditions: [
        ['content-length-range', 1, 5000],
        { 'x-amz-meta-original-name': 'Daten%20%C3%BC.csv' },
        { 'Content-Type': 'text/csv' },
        { bucket: 'data-bucket' },
        { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
        { 'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20260301/eu-west-1/s3/aws4_request' },
        { 'X-Amz-Date': '20260301T100000Z' },
        { 'X-Amz-Security-Token': 'SESSION' },
        { key: 'uploads/0b7c/input' },
      ],
    });
  });

  it('signs the base64 policy with the SigV4 key of the day, region and s3', async () => {
    const post = await presign(new S3Http({ region: 'eu-west-1', credentials: async () => KEYS }));
    const expected = createHmac('sha256', signingKey(KEYS.secretAccessKey, '20260301', 'eu-west-1', 's3'))
      .update(post.fields.Policy ?? '')
      .digest('hex');
    expect(post.fields['X-Amz-Signature']).toBe(expected);
    expect(post.fields).not.toHaveProperty('X-Amz-Security-Token');
  });

  it('targets the bucket path-style on the local stand-in', async () => {
    const post = await presign(new S3Http({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4569/', credentials: async () => KEYS }));
    expect(post.url).toBe('http://127.0.0.1:4569/data-bucket');
  });
});

describe('GetObject', () => {
  const s3 = (fetch: typeof globalThis.fetch) => new S3Http({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4569', credentials: async () => KEYS, fetch });

  it('streams the body and reads the length and user metadata', async () => {
    const { fetch, calls } = fakeFetch(new Response('a,b\n1,2\n', { headers: { 'content-length': '8', 'x-amz-meta-original-name': 'x%20y.csv' } }));
    const out = await s3(fetch).getObject('bucket', 'uploads/1/input');
    const chunks: Uint8Array[] = [];
    for await (const chunk of out?.body ?? []) chunks.push(chunk);
    expect(calls[0]?.url).toBe('http://127.0.0.1:4569/bucket/uploads/1/input');
    expect(Buffer.concat(chunks).toString()).toBe('a,b\n1,2\n');
    expect(out?.contentLength).toBe(8);
    expect(out?.metadata).toEqual({ 'original-name': 'x%20y.csv' });
  });

  it('answers undefined for NoSuchKey', async () => {
    const { fetch } = fakeFetch(new Response('<Error><Code>NoSuchKey</Code><Message>none</Message></Error>', { status: 404 }));
    await expect(s3(fetch).getObject('bucket', 'previews/1.json')).resolves.toBeUndefined();
  });

  it('throws other errors', async () => {
    const { fetch } = fakeFetch(new Response('<Error><Code>AccessDenied</Code><Message>no</Message></Error>', { status: 403 }));
    await expect(s3(fetch).getObject('bucket', 'k')).rejects.toMatchObject({ code: 'AccessDenied', status: 403 });
  });

  it('addresses the bucket virtual-hosted in AWS', () => {
    expect(new S3Http({ region: 'eu-west-1', credentials: async () => KEYS }).objectUrl('b', 'results/1/report (1).html')).toBe(
      'https://b.s3.eu-west-1.amazonaws.com/results/1/report%20%281%29.html',
    );
  });
});
