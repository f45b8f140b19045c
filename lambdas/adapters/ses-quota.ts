/** The SES account's sending quota (SESv2 GetAccount → SendQuota), for `uplock broadcast`'s pacing. */
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { RuntimeConfig } from '../config';
import type { SendQuota } from '../core/broadcast';
import { sesSettings } from './clients';

export async function sendQuota(config: RuntimeConfig): Promise<SendQuota> {
  const ses = new SESv2Client(sesSettings(config));
  try {
    const out = await ses.send(new GetAccountCommand({}));
    const quota = out.SendQuota;
    return {
      max24HourSend: quota?.Max24HourSend ?? 200,
      maxSendRate: quota?.MaxSendRate ?? 1,
      sentLast24Hours: quota?.SentLast24Hours ?? 0,
    };
  } finally {
    ses.destroy();
  }
}

/** SES refuses past the daily quota with a throttling error whose message says so. */
export function isDailyQuotaRefusal(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown } | null;
  return /daily message quota exceeded/i.test(String(e?.message ?? '')) && /Throttling|TooManyRequests|LimitExceeded/.test(String(e?.name ?? ''));
}
