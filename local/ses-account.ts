/**
 * The local SES account's sending quota, in front of aws-ses-v2-local: it answers SESv2
 * `GetAccount` (`GET /v2/email/account`) with a `SendQuota` whose `SentLast24Hours` counts the
 * emails this local cloud accepted, and refuses `SendEmail` past `Max24HourSend` the way SES does
 * (`ThrottlingException`, "Daily message quota exceeded"). `uplock broadcast` paces itself and
 * stops from these figures, so the local cloud lets an operator (and the tests) rehearse a quota.
 *
 * The count lives in memory: a restart of the local cloud starts a new day.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface SesQuota {
  /** Emails per rolling 24 hours; -1 is unlimited, as SES writes it. */
  max24HourSend: number;
  /** Emails per second. */
  maxSendRate: number;
}

/** A generous production-like account (SES's default production rate is 14 per second). */
export const DEFAULT_SES_QUOTA: SesQuota = { max24HourSend: 50_000, maxSendRate: 14 };

const DAY_MS = 24 * 3600 * 1000;

export class LocalSesAccount {
  private quota: SesQuota;
  private readonly sent: number[] = [];

  constructor(quota: Partial<SesQuota> = {}) {
    this.quota = { ...DEFAULT_SES_QUOTA, ...quota };
  }

  /** Change the quota (tests; a later `GetAccount` sees it). */
  set(quota: Partial<SesQuota>): void {
    this.quota = { ...this.quota, ...quota };
  }

  sentLast24Hours(now = Date.now()): number {
    while (this.sent.length && (this.sent[0] ?? 0) <= now - DAY_MS) this.sent.shift();
    return this.sent.length;
  }

  sendQuota(): { Max24HourSend: number; MaxSendRate: number; SentLast24Hours: number } {
    return { Max24HourSend: this.quota.max24HourSend, MaxSendRate: this.quota.maxSendRate, SentLast24Hours: this.sentLast24Hours() };
  }

  private quotaReached(): boolean {
    return this.quota.max24HourSend >= 0 && this.sentLast24Hours() >= this.quota.max24HourSend;
  }

  /** Put the account in front of the SES stand-in's HTTP server. */
  install(server: Server): void {
    const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const pathname = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && pathname === '/v2/email/account') {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            DedicatedIpAutoWarmupEnabled: false,
            EnforcementStatus: 'HEALTHY',
            ProductionAccessEnabled: true,
            SendingEnabled: true,
            SendQuota: this.sendQuota(),
          }),
        );
        return;
      }
      const sending = req.method === 'POST' && (pathname === '/v2/email/outbound-emails' || pathname === '/v2/email/outbound-bulk-emails');
      if (sending && this.quotaReached()) {
        req.resume();
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' });
        res.end(JSON.stringify({ message: 'Daily message quota exceeded.' }));
        return;
      }
      if (sending) {
        res.once('finish', () => {
          if (res.statusCode === 200) this.sent.push(Date.now());
        });
      }
      for (const listener of listeners) listener.call(server, req, res);
    });
  }
}
