/**
 * A tiny recording webhook receiver on 127.0.0.1, for tests of anything that sends Stripe events
 * (the stand-in's own tests; handler tests may use it too). It answers with the status that
 * `respondWith` returns, so tests can make deliveries fail and watch the retries.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** Raw body exactly as sent: signatures are computed over these bytes. */
  body: string;
  signature: string;
  contentType: string;
  /** Parsed for convenience. */
  event: { id: string; type: string; data: { object: Record<string, unknown> } } & Record<string, unknown>;
  /** The status the receiver answered with. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status for the next delivery; default always 200. */
  respondWith: (event: ReceivedWebhook['event'], attempt: number) => number;
  /** Resolves with the first delivery (answered 2xx unless `anyStatus`) matching `predicate`. */
  waitFor(predicate: (w: ReceivedWebhook) => boolean, timeoutMs?: number, anyStatus?: boolean): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const attempts = new Map<string, number>();
  const waiters = new Set<() => void>();
  const receiver: WebhookReceiver = {
    url: '',
    received,
    respondWith: () => 200,
    waitFor: (predicate, timeoutMs = 10_000, anyStatus = false) =>
      new Promise((resolve, reject) => {
        const match = () => received.find((w) => (anyStatus || (w.status >= 200 && w.status < 300)) && predicate(w));
        const check = () => {
          const found = match();
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching webhook within ${timeoutMs} ms (received: ${received.map((w) => w.event.type).join(', ')})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: ReceivedWebhook['event'];
      try {
        event = JSON.parse(body) as ReceivedWebhook['event'];
      } catch {
        res.writeHead(400).end();
        return;
      }
      const attempt = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, attempt);
      const status = receiver.respondWith(event, attempt);
      const sig = req.headers['stripe-signature'];
      received.push({
        body,
        signature: Array.isArray(sig) ? (sig[0] ?? '') : (sig ?? ''),
        contentType: req.headers['content-type'] ?? '',
        event,
        status,
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: status < 300 }));
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return receiver;
}
