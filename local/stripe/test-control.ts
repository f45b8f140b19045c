/**
 * Test controls that real Stripe offers only through the Dashboard or the passage of time:
 * settle a delayed payment now, open a dispute now; and failures Stripe produces on its own
 * (`/_test/faults`, faults.ts). Not part of Stripe's API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StripeEngine } from './engine.js';
import { StripeApiError, invalidParam, noSuchResource } from './errors.js';
import { readBody, sendJson } from './http-util.js';
import { readFault, type FaultPlan } from './faults.js';

export async function handleTestControl(engine: StripeEngine, faults: FaultPlan, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const settle = /^\/_test\/sessions\/([^/]+)\/settle$/.exec(url.pathname);
  const dispute = /^\/_test\/charges\/([^/]+)\/dispute$/.exec(url.pathname);
  const fault = url.pathname === '/_test/faults';
  if (!settle && !dispute && !fault) return false;
  try {
    if (req.method !== 'POST' && !(fault && req.method === 'DELETE')) throw new StripeApiError(405, 'invalid_request_error', 'Use POST.');
    const form = new URLSearchParams(await readBody(req, 16 * 1024));
    if (fault) {
      if (req.method === 'DELETE') faults.clear();
      else faults.add(readFault(form));
      sendJson(res, 200, JSON.stringify({ ok: true }));
    } else if (settle) {
      const id = decodeURIComponent(settle[1] ?? '');
      const session = engine.data.checkoutSessions[id];
      if (!session) throw noSuchResource('checkout.session', id);
      const outcome = form.get('outcome') ?? undefined;
      if (outcome !== undefined && outcome !== 'succeeded' && outcome !== 'failed') {
        throw invalidParam('outcome', 'outcome must be succeeded or failed');
      }
      await engine.settle(session, outcome);
      sendJson(res, 200, JSON.stringify(session));
    } else {
      const id = decodeURIComponent(dispute?.[1] ?? '');
      const charge = engine.data.charges[id];
      if (!charge) throw noSuchResource('charge', id);
      if (charge.status !== 'succeeded') throw invalidParam('charge', 'Only a succeeded charge can be disputed.');
      engine.openDispute(charge);
      const opened = Object.values(engine.data.disputes).find((d) => d.charge === charge.id);
      sendJson(res, 200, JSON.stringify(opened ?? null));
    }
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    sendJson(res, err.status, JSON.stringify(err.toBody()));
  }
  return true;
}
