/**
 * The local stand-in for CloudFront + API Gateway: serves the built frontend with the same
 * security headers CloudFront sends, and the route table as API Gateway HTTP API (payload v2)
 * events to the very same handler modules Lambda runs.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { routes, type HandlerName, type Route } from '../lambdas/routes';
import { lambdaContext } from './lambda-context';

type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway HTTP APIs refuse payloads above 10 MB. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  params: string[];
}

function compile(route: Route): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
}

/** Static routes win over parameterised ones, as in API Gateway (`/api/orders/lookup`). */
const table = routes.map(compile).sort((a, b) => a.params.length - b.params.length);

export interface GatewayOptions {
  port: number;
  /** Directory of the built frontend (frontend/dist). */
  staticDir: string;
  /** Extra CSP sources: the S3 endpoint (presigned POST) and the Stripe page (form action). */
  connectSources: string[];
  formActionSources: string[];
  /** Each handler's Lambda context gets this deadline (ms); default the stack's 10 s. */
  functionTimeoutMs?: number;
  /** Fault injection (local/faults.ts): drop webhook deliveries, and the control endpoint. */
  faults?: {
    takeWebhookDrop(): boolean;
    control(method: string, body: string): { status: number; body: unknown };
  };
  log?: (line: string) => void;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  /**
   * Stop taking requests (new ones get 503, as a Lambda being replaced would not see them), wait
   * for every handler still running, then close the connections: a graceful stop never cuts a
   * handler between two writes.
   */
  close(): Promise<void>;
}

/** Where an operator or a test sets faults on demand (local/faults.ts). Local cloud only. */
export const FAULTS_PATH = '/__local/faults';

export function securityHeaders(opts: Pick<GatewayOptions, 'connectSources' | 'formActionSources'>): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${opts.connectSources.join(' ')}`.trim(),
    `form-action 'self' ${opts.formActionSources.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    // HSTS is meaningless on http://127.0.0.1; CloudFront sends it in AWS.
  };
}

function readBody(req: http.IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) {
        resolve('too_large');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml)|text\/)/;

function toEvent(req: http.IncomingMessage, url: URL, body: Buffer, compiled: CompiledRoute, match: RegExpExecArray): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  const pathParameters: Record<string, string> = {};
  compiled.params.forEach((name, i) => {
    const raw = match[i + 1] ?? '';
    try {
      pathParameters[name] = decodeURIComponent(raw);
    } catch {
      pathParameters[name] = raw;
    }
  });
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  // Like API Gateway: text bodies arrive as text, anything else base64-encoded.
  const isText = TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const routeKey = `${compiled.route.method} ${compiled.route.path}`;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(compiled.params.length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const handlers = new Map<HandlerName, Promise<ApiHandler>>();
  const load = (name: HandlerName): Promise<ApiHandler> => {
    let loaded = handlers.get(name);
    if (!loaded) {
      // Loaded on first use, after the local cloud has set UPLOCK_CONFIG: handlers read it at import.
      loaded = import(`../lambdas/handlers/${name}.ts`).then((m: { handler: ApiHandler }) => m.handler);
      handlers.set(name, loaded);
    }
    return loaded;
  };
  const headers = securityHeaders(opts);
  const staticRoot = path.resolve(opts.staticDir);

  const inFlight = new Set<Promise<unknown>>();
  let draining = false;

  const sendJson = (res: http.ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: { code, message } }));
  };

  async function serveApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? 'GET';
    if (url.pathname === FAULTS_PATH && opts.faults) {
      const body = await readBody(req);
      const answer = opts.faults.control(method, body === 'too_large' ? '' : body.toString('utf8'));
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer.body));
      return true;
    }
    let pathMatched = false;
    for (const compiled of table) {
      const match = compiled.pattern.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (compiled.route.method !== method) continue;
      const body = await readBody(req);
      if (body === 'too_large') {
        sendJson(res, 413, 'payload_too_large', 'The request is too large.');
        return true;
      }
      if (draining) {
        res.setHeader('connection', 'close');
        sendJson(res, 503, 'shutting_down', 'The local cloud is stopping; try again when it is back.');
        return true;
      }
      if (compiled.route.handler === 'stripe-webhook' && opts.faults?.takeWebhookDrop()) {
        opts.log?.('fault: webhook delivery dropped');
        req.socket.destroy();
        return true;
      }
      const handler = await load(compiled.route.handler);
      const run = handler(toEvent(req, url, body, compiled, match), lambdaContext(compiled.route.handler, opts.functionTimeoutMs));
      inFlight.add(run);
      const result = await run.finally(() => inFlight.delete(run));
      const out: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(result.headers ?? {})) out[key] = String(value);
      if (result.cookies?.length) out['set-cookie'] = result.cookies;
      res.writeHead(result.statusCode ?? 200, out);
      res.end(result.body === undefined ? undefined : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
      return true;
    }
    if (pathMatched || url.pathname.startsWith('/api/')) {
      // API Gateway answers unmatched routes with 404 {"message":"Not Found"}; we keep our shape.
      sendJson(res, pathMatched ? 405 : 404, pathMatched ? 'method_not_allowed' : 'not_found', 'No such API route.');
      return true;
    }
    return false;
  }

  async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      pathname = '/';
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(staticRoot, `.${pathname}`);
    if (!file.startsWith(staticRoot + path.sep)) {
      res.writeHead(404, headers).end('Not found');
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      res.writeHead(200, {
        ...headers,
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        // Hashed assets may be cached; pages must not be, so a deploy shows at once.
        'cache-control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Not found. (If this is the page itself, run \`npm run build:frontend\`.)`);
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    serveApi(req, res, url)
      .then((served) => (served ? undefined : serveStatic(req, res, url)))
      .catch((error: unknown) => {
        opts.log?.(`gateway error: ${error instanceof Error ? error.stack : String(error)}`);
        if (!res.headersSent) sendJson(res, 500, 'internal_error', 'Something went wrong on our side.');
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      while (inFlight.size) await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}
