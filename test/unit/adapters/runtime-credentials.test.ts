/**
 * The bundles' credential provider (lambdas/adapters/runtime-credentials.ts, aliased for
 * `@aws-sdk/credential-provider-node` by lib/bundling.ts): the Lambda environment's keys, a
 * container credentials endpoint (a real HTTP server on 127.0.0.1, as the ECS agent serves it),
 * refresh before expiry, and a clear error elsewhere. Then the bundles themselves: built with the
 * shared esbuild options, they carry neither the SDK's default chain nor its nested STS/SSO clients.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { REFRESH_BEFORE_EXPIRY_MS, defaultProvider } from '../../../lambdas/adapters/runtime-credentials';
import { esbuildOptions, handlerEntry, repoRoot } from '../../../lib/bundling';

const VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
] as const;

let saved: Record<string, string | undefined>;
let server: Server | undefined;

beforeEach(() => {
  saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));
  for (const name of VARS) delete process.env[name];
});

afterEach(async () => {
  for (const name of VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A container credentials endpoint: answers each GET with the next key id, expiring at `expiresIn`. */
async function credentialsEndpoint(expiresInMs: number): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        AccessKeyId: `ASIA${requests.length}`,
        SecretAccessKey: 'secret',
        Token: 'session',
        Expiration: new Date(Date.now() + expiresInMs).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}/creds`, requests };
}

describe('runtime credentials (the bundles\' default provider)', () => {
  it('takes the Lambda environment\'s keys, with the session token', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAENV';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    process.env.AWS_SESSION_TOKEN = 'env-session';

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({ accessKeyId: 'ASIAENV', secretAccessKey: 'env-secret', sessionToken: 'env-session' });
  });

  it('fetches a container\'s credentials from its endpoint with the authorization token, once while they are fresh', async () => {
    const endpoint = await credentialsEndpoint(60 * 60 * 1000);
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoint.url;
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'token-1';
    const provider = defaultProvider();

    const [first, second] = await Promise.all([provider(), provider()]);
    const third = await provider();

    expect(first).toMatchObject({ accessKeyId: 'ASIA1', sessionToken: 'session' });
    expect(second.accessKeyId).toBe('ASIA1');
    expect(third.accessKeyId).toBe('ASIA1');
    expect(endpoint.requests).toEqual(['GET /creds token-1']);
  });

  it('fetches again when the credentials are within the refresh window of their expiry', async () => {
    const endpoint = await credentialsEndpoint(REFRESH_BEFORE_EXPIRY_MS - 1000);
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoint.url;
    const provider = defaultProvider();

    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect((await provider()).accessKeyId).toBe('ASIA2');
  });

  it('says where it looked when neither source is there, and tries again on the next call', async () => {
    const provider = defaultProvider();

    await expect(provider()).rejects.toThrow(/AWS_ACCESS_KEY_ID.*AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/);
    process.env.AWS_ACCESS_KEY_ID = 'ASIALATE';
    process.env.AWS_SECRET_ACCESS_KEY = 'late';
    expect((await provider()).accessKeyId).toBe('ASIALATE');
  });
});

describe('handler bundles (lib/bundling.ts esbuildOptions)', () => {
  it.each(['create-order', 'process-upload'])('%s carries the runtime provider, not the SDK\'s default chain or its nested clients', async (name) => {
    const result = await build({ ...esbuildOptions, entryPoints: [handlerEntry(name)], write: false, outdir: '/unused', logLevel: 'error', absWorkingDir: repoRoot, metafile: true });

    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => /@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|login)|nested-clients)\//.test(file))).toEqual([]);
    expect(inputs.some((file) => file.endsWith('lambdas/adapters/runtime-credentials.ts'))).toBe(true);
  });
});
