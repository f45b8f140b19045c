/**
 * The S3 REST calls the adapters make: GetObject (streamed), PutObject, a presigned GET and a
 * presigned POST. Path-style against the local stand-in (s3rver serves nothing else),
 * virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com` in AWS. Bodies go out plain, so the
 * aws-chunked framing that s3rver stored verbatim (ARCHITECTURE.md §6) never arises.
 */
import { createHmac } from 'node:crypto';
import { AwsError, AwsHttpClient, encodeRfc3986, type CredentialsProvider } from './aws-http';

export interface S3Object {
  readonly body: AsyncIterable<Uint8Array>;
  readonly contentLength: number;
  /** `x-amz-meta-*` headers, by the name after the prefix. */
  readonly metadata: Record<string, string>;
  text(): Promise<string>;
}

/** A POST policy condition, as S3 reads it. */
export type PostCondition = Record<string, string> | [string, ...(string | number)[]];

export interface PresignedPost {
  readonly url: string;
  readonly fields: Record<string, string>;
}

const META_PREFIX = 'x-amz-meta-';

const isMissing = (error: unknown): boolean => error instanceof AwsError && (error.code === 'NoSuchKey' || error.code === 'NotFound');

/** `20150830T123600Z` */
const amzDate = (date: Date): string => date.toISOString().replace(/[:-]|\.\d{3}/g, '');

/** SigV4's signing key: HMAC chain over date, region, service. */
export function signingKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, shortDate), region), service), 'aws4_request');
}

export class S3Http {
  private readonly http: AwsHttpClient;

  constructor(
    private readonly opts: { region: string; endpoint?: string; credentials: CredentialsProvider; fetch?: typeof fetch },
  ) {
    this.http = new AwsHttpClient({ service: 's3', region: opts.region, credentials: opts.credentials, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  }

  /** The bucket's base URL, no trailing slash: the presigned POST target. */
  bucketUrl(bucket: string): string {
    const endpoint = this.opts.endpoint?.replace(/\/+$/, '');
    return endpoint ? `${endpoint}/${bucket}` : `https://${bucket}.s3.${this.opts.region}.amazonaws.com`;
  }

  objectUrl(bucket: string, key: string): string {
    return `${this.bucketUrl(bucket)}/${key.split('/').map(encodeRfc3986).join('/')}`;
  }

  /** The object with its body unread, or undefined when there is none. */
  async getObject(bucket: string, key: string): Promise<S3Object | undefined> {
    let response: Response;
    try {
      response = await this.http.send({ method: 'GET', url: this.objectUrl(bucket, key) });
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const metadata: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name.startsWith(META_PREFIX)) metadata[name.slice(META_PREFIX.length)] = value;
    });
    const stream = response.body;
    // Node's web streams are async iterables (Node ≥ 18); the DOM typings do not say so.
    const body = (stream ?? (async function* () {})()) as unknown as AsyncIterable<Uint8Array>;
    return { body, contentLength: Number(response.headers.get('content-length') ?? 0), metadata, text: () => response.text() };
  }

  async putObject(bucket: string, key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    const response = await this.http.send({
      method: 'PUT',
      url: this.objectUrl(bucket, key),
      headers: { 'content-type': contentType },
      // Buffers and Uint8Arrays here are ArrayBuffer-backed; the typings cannot tell.
      body: body as string | Uint8Array<ArrayBuffer>,
    });
    await response.body?.cancel();
  }

  /** Copy an object onto itself with the same metadata: S3 announces it again ("Object Created", CopyObject). */
  async copyOntoItself(bucket: string, key: string, metadata: Record<string, string>): Promise<void> {
    const headers: Record<string, string> = {
      'x-amz-copy-source': `/${bucket}/${key.split('/').map(encodeRfc3986).join('/')}`,
      // S3 refuses a copy onto itself that changes nothing; replacing the metadata is the change.
      'x-amz-metadata-directive': 'REPLACE',
    };
    for (const [name, value] of Object.entries(metadata)) headers[`${META_PREFIX}${name}`] = value;
    const response = await this.http.send({ method: 'PUT', url: this.objectUrl(bucket, key), headers });
    await response.body?.cancel();
  }

  /** A GET URL valid for `expiresInSeconds`; `query` adds S3's response overrides (`response-content-disposition`). */
  presignGet(bucket: string, key: string, expiresInSeconds: number, query: Record<string, string> = {}): Promise<string> {
    const url = new URL(this.objectUrl(bucket, key));
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return this.http.presignUrl(url.toString(), expiresInSeconds);
  }

  /**
   * A browser upload form (POST policy, SigV4), with the same fields, in the same order, as the
   * AWS SDK's createPresignedPost: our `fields`, `bucket`, `X-Amz-Algorithm`, `X-Amz-Credential`,
   * `X-Amz-Date`, `X-Amz-Security-Token` (temporary credentials only), `key`, `Policy`,
   * `X-Amz-Signature`. Every field is also a policy condition, so none can be changed.
   */
  async presignPost(opts: {
    bucket: string;
    key: string;
    conditions: PostCondition[];
    fields: Record<string, string>;
    expiresInSeconds: number;
    now?: Date;
  }): Promise<PresignedPost> {
    const credentials = await this.opts.credentials();
    const now = opts.now ?? new Date();
    const date = amzDate(now);
    const shortDate = date.slice(0, 8);
    const fields: Record<string, string> = {
      ...opts.fields,
      bucket: opts.bucket,
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${credentials.accessKeyId}/${shortDate}/${this.opts.region}/s3/aws4_request`,
      'X-Amz-Date': date,
      ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    };
    // Conditions in order, without repeats: the caller's, one per field, then the key.
    const conditions = new Set<string>(opts.conditions.map((c) => JSON.stringify(c)));
    for (const [name, value] of Object.entries(fields)) conditions.add(JSON.stringify({ [name]: value }));
    conditions.add(JSON.stringify({ key: opts.key }));
    const expiration = new Date(now.getTime() + opts.expiresInSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const policy = Buffer.from(`{"expiration":${JSON.stringify(expiration)},"conditions":[${[...conditions].join(',')}]}`, 'utf8').toString('base64');
    const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, shortDate, this.opts.region, 's3'))
      .update(policy, 'utf8')
      .digest('hex');
    // As the SDK formats it: `<endpoint>/<bucket>` path-style, `https://<bucket>.s3.<region>.amazonaws.com/` in AWS.
    const url = this.opts.endpoint ? this.bucketUrl(opts.bucket) : `${this.bucketUrl(opts.bucket)}/`;
    return { url, fields: { ...fields, key: opts.key, Policy: policy, 'X-Amz-Signature': signature } };
  }
}
