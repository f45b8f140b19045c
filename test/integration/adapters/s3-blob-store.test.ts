/**
 * S3BlobStore and S3UploadPresigner against s3rver: every port method through the real S3
 * client (and its presigners), a missing object as `undefined`, and 5xx answers retried by the
 * SDK's own retry strategy.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ClientSettings } from '../../../lambdas/adapters/clients';
import { S3BlobStore } from '../../../lambdas/adapters/s3-blob-store';
import { S3UploadPresigner } from '../../../lambdas/adapters/s3-upload-presigner';
import { uploadKey, type OrderId } from '../../../lambdas/core/ids';
import { BUCKET, FAULTS, REGION, startFaultProxy, startLocalServers, type FaultProxy, type LocalServers } from './servers';

let servers: LocalServers;
let proxy: FaultProxy;
let s3: S3Client;
let blobs: S3BlobStore;
let presigner: S3UploadPresigner;

beforeAll(async () => {
  servers = await startLocalServers();
  proxy = await startFaultProxy(servers.s3);
  s3 = new S3Client(s3ClientSettings(REGION, proxy.url));
  blobs = new S3BlobStore(s3, BUCKET);
  presigner = new S3UploadPresigner(s3, BUCKET);
});

afterAll(async () => {
  s3?.destroy();
  await proxy?.stop();
  await servers?.stop();
});

const newId = () => randomUUID() as OrderId;

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The browser's multipart POST: every presigned field first, the file last. */
async function postUpload(upload: { url: string; fields: Record<string, string> }, content: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([content]), 'ignored-by-s3.csv');
  return fetch(upload.url, { method: 'POST', body: form });
}

describe('S3UploadPresigner.presignUpload', () => {
  it('signs a POST form whose upload getInput then reads, with the original file name', async () => {
    const orderId = newId();
    const content = 'a,b\n1,2\n';

    const upload = await presigner.presignUpload(orderId, { fileName: 'Daten ü "x".csv', maxBytes: 1000, contentType: 'text/csv', expiresInSeconds: 600 });
    const posted = await postUpload(upload, content);
    const input = await blobs.getInput(uploadKey(orderId));

    expect(posted.status).toBeLessThan(300);
    expect(upload.url).toBe(`${proxy.url}/${BUCKET}`);
    expect(input?.fileName).toBe('Daten ü "x".csv');
    expect(input?.size).toBe(Buffer.byteLength(content));
    expect(input && (await readAll(input.body)).toString('utf8')).toBe(content);
  });

  it('pins the key, the size range and every field in the signed policy', async () => {
    const orderId = newId();
    const before = Date.now();

    const upload = await presigner.presignUpload(orderId, { fileName: 'x.csv', maxBytes: 5000, expiresInSeconds: 900 });

    const policy = JSON.parse(Buffer.from(upload.fields.Policy ?? '', 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 5000],
        { key: uploadKey(orderId) },
        { bucket: BUCKET },
        { 'x-amz-meta-original-name': 'x.csv' },
        { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
      ]),
    );
    expect(upload.fields).toMatchObject({ key: uploadKey(orderId), 'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(upload.fields['Content-Type']).toBeUndefined();
    expect(Date.parse(policy.expiration) - before).toBeGreaterThanOrEqual(899_000);
    expect(Date.parse(upload.expiresAt) - before).toBeGreaterThanOrEqual(900_000);
  });
});

describe('S3BlobStore', () => {
  it('getInput answers undefined for a missing object (NoSuchKey)', async () => {
    expect(await blobs.getInput(uploadKey(newId()))).toBeUndefined();
  });

  it('putPreview and getPreview round-trip JSON; a missing preview is undefined', async () => {
    const orderId = newId();
    const preview = { columns: [{ name: 'ü', rows: 3 }], note: 'emoji 🙂' };

    await blobs.putPreview(orderId, preview);

    expect(await blobs.getPreview(orderId)).toEqual(preview);
    expect(await blobs.getPreview(newId())).toBeUndefined();
  });

  it('putResult stores bytes exactly (no chunk framing) and presignDownload serves them as an attachment', async () => {
    const orderId = newId();
    const body = new Uint8Array([0, 1, 2, 250, 251, 252, 13, 10]);

    await blobs.putResult(orderId, 'report.bin', body, 'application/octet-stream');
    const url = await blobs.presignDownload(orderId, 'report.bin', 'Bericht ü.bin', 60);
    const res = await fetch(url);

    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(body);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Bericht _.bin"; filename*=UTF-8''Bericht%20%C3%BC.bin`);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('putResult streams a body it is given as chunks, with its length, and stores every byte in order', async () => {
    const orderId = newId();
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    let reads = 0;
    const body = {
      size: bytes.length,
      async *read() {
        reads++;
        for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
      },
    };

    await blobs.putResult(orderId, 'result.bin', body, 'application/octet-stream');
    const res = await fetch(await blobs.presignDownload(orderId, 'result.bin', 'result.bin', 60));

    expect(reads).toBe(1);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('putResult stores text as UTF-8 with its content type', async () => {
    const orderId = newId();

    await blobs.putResult(orderId, 'report.html', '<p>ü</p>', 'text/html; charset=utf-8');
    const res = await fetch(await blobs.presignDownload(orderId, 'report.html', 'report.html', 60));

    expect(await res.text()).toBe('<p>ü</p>');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('hasResult tells a stored result file from a missing one (HeadObject, NotFound)', async () => {
    const orderId = newId();
    await blobs.putResult(orderId, 'report.json', '{}', 'application/json');

    expect(await blobs.hasResult(orderId, 'report.json')).toBe(true);
    expect(await blobs.hasResult(orderId, 'other.json')).toBe(false);
  });

  it('reannounceInput copies the upload onto itself, keeping its bytes and file name; a missing one is left alone', async () => {
    const orderId = newId();
    const upload = await presigner.presignUpload(orderId, { fileName: 'again ü.csv', maxBytes: 1000, contentType: 'text/csv', expiresInSeconds: 600 });
    await postUpload(upload, 'x,y\n');
    const events: unknown[] = [];
    const listener = (event: unknown) => events.push(event);
    servers.s3Events.on('event', listener);

    await blobs.reannounceInput(uploadKey(orderId));
    await blobs.reannounceInput(uploadKey(newId()));
    servers.s3Events.off('event', listener);

    const input = await blobs.getInput(uploadKey(orderId));
    expect(input?.fileName).toBe('again ü.csv');
    expect(input && (await readAll(input.body)).toString('utf8')).toBe('x,y\n');
    expect(JSON.stringify(events)).toContain(`uploads/${orderId}/input`);
  });

  it('retries 503 SlowDown with the SDK\'s own retry strategy, then succeeds', async () => {
    const orderId = newId();
    await blobs.putPreview(orderId, { ok: true });
    const before = proxy.requests;
    proxy.fail(2, FAULTS.s3SlowDown);

    const preview = await blobs.getPreview(orderId);

    expect(proxy.requests - before).toBe(3);
    expect(preview).toEqual({ ok: true });
  });

  it('surfaces the S3 error once its attempts are spent', async () => {
    const before = proxy.requests;
    proxy.fail(10, FAULTS.s3SlowDown);

    const error = await blobs.putPreview(newId(), { ok: false }).catch((e: unknown) => e);
    const seen = proxy.requests - before;
    proxy.fail(0, FAULTS.s3SlowDown);

    expect(seen).toBeGreaterThan(1);
    expect(error).toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503, attempts: seen } });
  });
});
