/**
 * What the adapter tests run against: the local cloud's own stand-ins (dynalite, s3rver,
 * aws-ses-v2-local) on free ports in a temp dir, without the rest of the local cloud, and a
 * fault proxy for the failures those servers cannot produce (throttling, 5xx).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import * as sesModule from 'aws-ses-v2-local';
import { ensureBucket, ensureTable } from '../../../local/cloud';

export const TABLE = 'adapter-test';
export const BUCKET = 'adapter-test-data';
export const REGION = 'us-east-1';

export interface LocalServers {
  readonly dynamodb: string;
  readonly s3: string;
  readonly ses: string;
  /** s3rver itself: it emits `event` for every object created (what the local bus listens to). */
  readonly s3Events: S3rver;
  stop(): Promise<void>;
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export async function startLocalServers(): Promise<LocalServers> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'uplock-adapters-'));
  const stops: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
  };
  try {
    const dynamo = dynalite({ path: path.join(dir, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const dynamodb = await listen(dynamo);
    stops.push(() => close(dynamo));
    await ensureTable(dynamodb, TABLE);

    const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory: path.join(dir, 's3'), silent: true });
    const { port: s3Port } = await s3rver.run();
    stops.push(() => s3rver.close());
    const s3 = `http://127.0.0.1:${s3Port}`;
    await ensureBucket(s3, BUCKET);

    // A CommonJS module with `exports.default`: depending on the loader it arrives wrapped once more.
    const sesServer = ((sesModule as unknown as { default: { default?: unknown } }).default.default ??
      (sesModule as unknown as { default: unknown }).default) as typeof sesModule.default;
    const sesHttp = await sesServer({ host: '127.0.0.1', port: 0 });
    stops.push(() => close(sesHttp));
    const ses = `http://127.0.0.1:${(sesHttp.address() as AddressInfo).port}`;

    return { dynamodb, s3, ses, s3Events: s3rver, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** An error answer as the service would send it. */
export interface FaultAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export const FAULTS = {
  /** DynamoDB's JSON protocol: throttled (HTTP 400 with the error type in the body). */
  dynamoThrottled: {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }),
  },
  /** S3's XML: 503 SlowDown. */
  s3SlowDown: {
    status: 503,
    headers: { 'content-type': 'application/xml' },
    body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
  },
  /** SES v2 (REST-JSON): 500 with the error type in a header. */
  sesInternal: {
    status: 500,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' },
    body: JSON.stringify({ message: 'internal failure' }),
  },
} satisfies Record<string, FaultAnswer>;

export interface FaultProxy {
  readonly url: string;
  /** Requests seen so far, faulted or passed on. */
  readonly requests: number;
  /** Answer the next `count` requests with `answer` instead of passing them on. */
  fail(count: number, answer: FaultAnswer): void;
  stop(): Promise<void>;
}

/**
 * A pass-through HTTP proxy in front of a local server that can answer the next N requests with
 * an error instead. Requests pass on byte for byte, Host header included, so what was signed
 * is what arrives.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  let faults = 0;
  let answer: FaultAnswer | undefined;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (faults > 0 && answer) {
      faults--;
      req.resume();
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers as IncomingHttpHeaders },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstream);
  });
  const url = await listen(server);
  return {
    url,
    get requests() {
      return requests;
    },
    fail(count, with_) {
      faults = count;
      answer = with_;
    },
    stop: () => close(server),
  };
}
