/** core/broadcast.ts with in-memory ports: resumable by id, paced, stopped at the quota, unsubscribes honoured. */
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../../lambdas/contract';
import {
  BroadcastError,
  broadcastEmail,
  broadcastRecipients,
  runBroadcast,
  type BroadcastDeps,
  type BroadcastStore,
  type RerunNote,
  type RerunResult,
  type SendQuota,
} from '../../../lambdas/core/broadcast';
import type { DeliveryToken } from '../../../lambdas/core/delivery';
import type { EmailMessage } from '../../../lambdas/core/emails';
import type { OrderId } from '../../../lambdas/core/ids';
import type { Order } from '../../../lambdas/core/order';
import { addressId, unsubscribeToken, verifyUnsubscribeToken } from '../../../lambdas/core/unsubscribe';

const KEY = new Uint8Array(32).fill(7);
let n = 0;
function order(email: string, overrides: Partial<Order> = {}): Order {
  n += 1;
  return {
    orderId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as OrderId,
    email,
    fileName: `file-${n}.csv`,
    size: 10,
    lang: 'en',
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    job: 'done',
    primaryArtifact: 'report.html',
    payment: 'paid',
    expiresAt: 0,
    ...overrides,
  };
}

class MemoryStore implements BroadcastStore {
  readonly broadcasts = new Map<string, string>();
  readonly marks = new Set<string>();
  readonly unsubscribed = new Set<string>();
  readonly tokens: DeliveryToken[] = [];
  readonly rerunNotes = new Map<string, RerunNote>();
  readonly timeline: { orderId: string; entry: TimelineEntry }[] = [];
  async rerunNote(id: string, orderId: OrderId): Promise<RerunNote | undefined> {
    return this.rerunNotes.get(`${id}#${orderId}`);
  }
  async noteRerun(id: string, orderId: OrderId, note: RerunNote): Promise<void> {
    this.rerunNotes.set(`${id}#${orderId}`, note);
  }
  async recordOrderEvent(orderId: OrderId, entry: TimelineEntry): Promise<void> {
    this.timeline.push({ orderId, entry });
  }
  async openBroadcast(id: string, fingerprint: string): Promise<string> {
    if (!this.broadcasts.has(id)) this.broadcasts.set(id, fingerprint);
    return this.broadcasts.get(id) ?? '';
  }
  async broadcastSent(id: string, address: string): Promise<boolean> {
    return this.marks.has(`${id}#${address}`);
  }
  async markBroadcastSent(id: string, address: string): Promise<void> {
    this.marks.add(`${id}#${address}`);
  }
  async isUnsubscribed(address: string): Promise<boolean> {
    return this.unsubscribed.has(address);
  }
  async attachToken(token: DeliveryToken): Promise<void> {
    this.tokens.push(token);
  }
}

class QuotaRefusal extends Error {
  override name = 'ThrottlingException';
}

/** A mailer with SES's daily quota: refuses past `max` emails. */
function harness(quota: Partial<SendQuota> = {}) {
  const store = new MemoryStore();
  const sent: { to: string; message: EmailMessage }[] = [];
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const account = { max24HourSend: -1, maxSendRate: 10, ...quota };
  const deps = (extra: Partial<BroadcastDeps> = {}): BroadcastDeps => ({
    store,
    mailer: {
      send: async (to, message) => {
        if (account.max24HourSend >= 0 && sent.length >= account.max24HourSend) throw new QuotaRefusal('Daily message quota exceeded.');
        sent.push({ to, message });
      },
    },
    sendQuota: async () => ({ ...account, sentLast24Hours: sent.length }),
    isQuotaRefusal: (error) => error instanceof QuotaRefusal,
    key: async () => KEY,
    settings: { siteUrl: 'https://shop.example.com', productName: 'Report', downloadLimit: 5, linkTtlHours: 168 },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...extra,
  });
  return { store, sent, sleeps, account, deps };
}

const request = { id: 'news-1', subject: 'News', body: 'Hello.\n\nA better report.', filter: {} };
const buyers = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com'];
const recipientsOf = (sent: { to: string }[]) => sent.map((s) => s.to).sort();

describe('broadcastRecipients', () => {
  it('groups orders by the address the emails go to (the payer once paid) and leaves smoke-test orders out', () => {
    const orders = [
      order('A@example.com'),
      order('other@example.com', { payerEmail: 'a@example.com' }),
      order('b@example.com', { payment: 'unpaid' }),
      order('smoke@example.com', { smoke: true }),
    ];

    const recipients = broadcastRecipients(orders, {});

    expect(recipients.map((r) => [r.address, r.orders.length])).toEqual([
      ['a@example.com', 2],
      ['b@example.com', 1],
    ]);
  });

  it('applies the status filter per order', () => {
    const recipients = broadcastRecipients([order('a@example.com'), order('b@example.com', { payment: 'unpaid' })], { status: 'paid' });

    expect(recipients.map((r) => r.address)).toEqual(['a@example.com']);
  });
});

describe('runBroadcast', () => {
  it('sends one email per buyer with a fresh link per paid order, the unsubscribe link and headers', async () => {
    const h = harness();
    const orders = [order('a@example.com'), order('a@example.com'), order('b@example.com', { payment: 'unpaid', job: 'done' })];

    const report = await runBroadcast(orders, request, h.deps());

    expect(report).toMatchObject({ matched: 2, sent: 2, alreadySent: 0, unsubscribed: 0, stoppedAtQuota: false });
    const toA = h.sent.find((s) => s.to === 'a@example.com')?.message;
    expect(toA?.text.match(/https:\/\/shop\.example\.com\/d\/[A-Za-z0-9_-]{43}/g)).toHaveLength(2);
    expect(h.sent.find((s) => s.to === 'b@example.com')?.message.text).not.toMatch(/\/d\//);
    expect(h.store.tokens).toHaveLength(2);
    const token = unsubscribeToken(KEY, 'a@example.com');
    expect(toA?.text).toContain(`https://shop.example.com/unsubscribe.html?t=${token}`);
    expect(toA?.headers).toEqual([
      { name: 'List-Unsubscribe', value: `<https://shop.example.com/api/unsubscribe/${token}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('paces at half the account rate', async () => {
    const h = harness({ maxSendRate: 4 });

    await runBroadcast(buyers.map((b) => order(b)), request, h.deps());

    // 4 per second → 2 per second → 500 ms between sends; the first goes at once.
    expect(h.sleeps).toEqual([500, 500, 500, 500]);
  });

  it('stops at the daily quota and, run again with more quota, sends each buyer exactly one email', async () => {
    const h = harness({ max24HourSend: 2 });
    const orders = buyers.map((b) => order(b));

    const first = await runBroadcast(orders, request, h.deps());
    expect(first).toMatchObject({ sent: 2, stoppedAtQuota: true });

    h.account.max24HourSend = 100;
    const second = await runBroadcast(orders, request, h.deps());

    expect(second).toMatchObject({ sent: 3, alreadySent: 2, stoppedAtQuota: false });
    expect(recipientsOf(h.sent)).toEqual(buyers);
  });

  it('stops cleanly when SES refuses for the quota mid-run (another sender used it up)', async () => {
    const h = harness({ max24HourSend: 3 });
    // The account reports room for all five: the refusal, not the figure, stops the run.
    const deps = h.deps({ sendQuota: async () => ({ max24HourSend: -1, maxSendRate: 10, sentLast24Hours: 0 }) });

    const report = await runBroadcast(buyers.map((b) => order(b)), request, deps);

    expect(report).toMatchObject({ sent: 3, stoppedAtQuota: true, failed: 0 });
  });

  it('after a kill between an email and its marker, the next run repeats that one email only', async () => {
    const h = harness();
    const orders = buyers.map((b) => order(b));
    let hits = 0;
    const killed = h.deps({
      fault: (step) => {
        if (step === 'broadcast:sent' && ++hits === 3) throw new Error('killed');
      },
    });

    await expect(runBroadcast(orders, request, killed)).rejects.toThrow('killed');
    expect(h.sent).toHaveLength(3);
    const report = await runBroadcast(orders, request, h.deps());

    expect(report).toMatchObject({ sent: 3, alreadySent: 2 });
    expect(recipientsOf(h.sent)).toEqual([...buyers, buyers[2]].sort());
  });

  it('stops on a send failure with how far it got, and the next run continues', async () => {
    const h = harness();
    const orders = buyers.map((b) => order(b));
    let calls = 0;
    const failing = h.deps({
      mailer: {
        send: async (to, message) => {
          if (++calls === 2) throw new Error('Service unavailable');
          h.sent.push({ to, message });
        },
      },
    });

    const error = await runBroadcast(orders, request, failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BroadcastError);
    expect((error as BroadcastError).code).toBe('send_failed');
    expect((error as BroadcastError).message).toMatch(/1 sent in this run.*run the same command again/);

    await runBroadcast(orders, request, h.deps());
    expect(recipientsOf(h.sent)).toEqual(buyers);
  });

  it('skips buyers who unsubscribed', async () => {
    const h = harness();
    const id = verifyUnsubscribeToken(KEY, unsubscribeToken(KEY, 'B@example.com'));
    if (id) h.store.unsubscribed.add(id);

    const report = await runBroadcast(buyers.map((b) => order(b)), request, h.deps());

    expect(report).toMatchObject({ sent: 4, unsubscribed: 1 });
    expect(h.sent.map((s) => s.to)).not.toContain('b@example.com');
  });

  it('refuses an id already used for another subject, body or filter', async () => {
    const h = harness();
    await runBroadcast([order('a@example.com')], request, h.deps());

    await expect(runBroadcast([order('a@example.com')], { ...request, subject: 'Other' }, h.deps())).rejects.toMatchObject({ code: 'broadcast_id_reused' });
  });

  it('a dry run counts and sends nothing, records nothing', async () => {
    const h = harness({ max24HourSend: 3 });

    const report = await runBroadcast(buyers.map((b) => order(b)), { ...request, dryRun: true }, h.deps());

    expect(report).toMatchObject({ dryRun: true, sent: 3, stoppedAtQuota: true });
    expect(h.sent).toEqual([]);
    expect(h.store.broadcasts.size).toBe(0);
  });
});

describe('runBroadcast with rerun', () => {
  /** Orders whose rerun bumps their revision, as rerunOrder does; `fail` answers a refusal instead. */
  function rerunner(fail: Partial<Record<string, RerunResult | 'throw'>> = {}) {
    const revisions = new Map<string, number>();
    const runs: string[] = [];
    const rerun = async (o: Order): Promise<RerunResult> => {
      runs.push(o.orderId);
      const outcome = fail[o.orderId];
      if (outcome === 'throw') throw new Error('killed during the rerun');
      if (outcome) return outcome;
      revisions.set(o.orderId, (o.resultRevision ?? 1) + 1);
      return { ok: true };
    };
    /** The orders as a new run reads them: with the revisions the reruns made. */
    const current = (orders: Order[]) => orders.map((o) => ({ ...o, resultRevision: revisions.get(o.orderId) ?? o.resultRevision }));
    return { rerun, runs, revisions, current };
  }
  const rerunRequest = { ...request, id: 'redo-1', rerun: true };

  it('runs each paid order once before its email, notes the email on every order it was about', async () => {
    const h = harness();
    const r = rerunner();
    const paidA = order('a@example.com');
    const unpaidA = order('a@example.com', { payment: 'unpaid' });
    const paidB = order('b@example.com');

    const report = await runBroadcast([paidA, unpaidA, paidB], rerunRequest, h.deps({ rerun: r.rerun }));

    expect(report).toMatchObject({ matched: 2, sent: 2, rerun: { ran: 2, failed: 0, before: 0 } });
    expect(r.runs.sort()).toEqual([paidA.orderId, paidB.orderId].sort());
    expect(h.store.timeline.map((t) => [t.orderId, t.entry.kind, t.entry.detail?.template, t.entry.detail?.link]).sort()).toEqual(
      [
        [paidA.orderId, 'email', 'broadcast', true],
        [unpaidA.orderId, 'email', 'broadcast', false],
        [paidB.orderId, 'email', 'broadcast', true],
      ].sort(),
    );
    expect(h.store.timeline[0]?.entry.detail).toMatchObject({ broadcast: 'redo-1' });
  });

  it('without rerun runs nothing and reports no rerun figures', async () => {
    const h = harness();
    const r = rerunner();

    const report = await runBroadcast([order('a@example.com')], request, h.deps({ rerun: r.rerun }));

    expect(r.runs).toEqual([]);
    expect(report.rerun).toBeUndefined();
  });

  it('mails the old result when a rerun fails, and a resumed run does not run it again', async () => {
    const h = harness({ max24HourSend: 1 });
    const a = order('a@example.com');
    const b = order('b@example.com');
    const r = rerunner({ [a.orderId]: { ok: false, code: 'rerun_failed', message: 'bad input' } });

    const first = await runBroadcast([a, b], rerunRequest, h.deps({ rerun: r.rerun }));
    expect(first).toMatchObject({ sent: 1, stoppedAtQuota: true, rerun: { ran: 0, failed: 1, before: 0 } });
    expect(h.sent[0]?.message.text).toMatch(/\/d\/[A-Za-z0-9_-]{43}/);

    h.account.max24HourSend = 100;
    const second = await runBroadcast(r.current([a, b]), rerunRequest, h.deps({ rerun: r.rerun }));

    expect(second).toMatchObject({ sent: 1, alreadySent: 1, rerun: { ran: 1, failed: 0, before: 0 } });
    expect(r.runs).toEqual([a.orderId, b.orderId]);
  });

  it('a run stopped after a rerun but before its email does not run that order again when resumed', async () => {
    const h = harness();
    const a = order('a@example.com');
    const r = rerunner();
    const down = h.deps({
      rerun: r.rerun,
      mailer: {
        send: async () => {
          throw new Error('Service unavailable');
        },
      },
    });

    await expect(runBroadcast([a], rerunRequest, down)).rejects.toMatchObject({ code: 'send_failed' });
    const resumed = await runBroadcast(r.current([a]), rerunRequest, h.deps({ rerun: r.rerun }));

    expect(resumed).toMatchObject({ sent: 1, rerun: { ran: 0, failed: 0, before: 1 } });
    expect(r.runs).toEqual([a.orderId]);
    expect(h.sent).toHaveLength(1);
  });

  it('a kill during the rerun leaves the order to run again; a kill after its switch does not', async () => {
    const h = harness();
    const a = order('a@example.com');
    const b = order('b@example.com');
    const killed = rerunner({ [a.orderId]: 'throw' });

    await expect(runBroadcast([a, b], rerunRequest, h.deps({ rerun: killed.rerun }))).rejects.toThrow('killed during the rerun');
    // b's rerun finished (revision 2 served) but a kill came before its outcome was noted.
    await h.store.noteRerun('redo-1', b.orderId, { revision: 2 });
    const r = rerunner();
    const resumed = await runBroadcast([a, { ...b, resultRevision: 2 }], rerunRequest, h.deps({ rerun: r.rerun }));

    expect(r.runs).toEqual([a.orderId]);
    expect(resumed).toMatchObject({ sent: 2, rerun: { ran: 1, failed: 0, before: 1 } });
  });

  it('stops when another rerun holds an order, without mailing its buyer', async () => {
    const h = harness();
    const a = order('a@example.com');
    const r = rerunner({ [a.orderId]: { ok: false, code: 'rerun_running', message: `A rerun of order ${a.orderId} is already running.` } });

    await expect(runBroadcast([a], rerunRequest, h.deps({ rerun: r.rerun }))).rejects.toMatchObject({ code: 'rerun_running' });

    expect(h.sent).toEqual([]);
    const r2 = rerunner();
    await runBroadcast([a], rerunRequest, h.deps({ rerun: r2.rerun }));
    expect(r2.runs).toEqual([a.orderId]);
  });

  it('a dry run counts the orders it would run again and runs none', async () => {
    const h = harness();
    const r = rerunner();

    const report = await runBroadcast([order('a@example.com'), order('a@example.com'), order('b@example.com', { payment: 'unpaid' })], { ...rerunRequest, dryRun: true }, h.deps({ rerun: r.rerun }));

    expect(report).toMatchObject({ dryRun: true, sent: 2, rerun: { ran: 2, failed: 0, before: 0 } });
    expect(r.runs).toEqual([]);
    expect(h.store.rerunNotes.size).toBe(0);
  });

  it('refuses to rerun without a way to run', async () => {
    const h = harness();
    await expect(runBroadcast([order('a@example.com')], rerunRequest, h.deps())).rejects.toThrow(/needs deps.rerun/);
  });

  it('keeps the same id for another rerun choice from being reused', async () => {
    const h = harness();
    await runBroadcast([order('a@example.com')], request, h.deps());

    await expect(runBroadcast([order('a@example.com')], { ...request, rerun: true }, h.deps({ rerun: rerunner().rerun }))).rejects.toMatchObject({ code: 'broadcast_id_reused' });
  });
});

describe('unsubscribe tokens', () => {
  it('name the address by its keyed id, and only tokens signed with the key verify', () => {
    const token = unsubscribeToken(KEY, ' Buyer@Example.com ');

    expect(verifyUnsubscribeToken(KEY, token)).toBe(addressId(KEY, 'buyer@example.com'));
    expect(verifyUnsubscribeToken(new Uint8Array(32), token)).toBeUndefined();
    expect(verifyUnsubscribeToken(KEY, `${token.slice(0, 23)}${'A'.repeat(22)}`)).toBeUndefined();
    expect(verifyUnsubscribeToken(KEY, 'nonsense')).toBeUndefined();
  });
});

describe('broadcastEmail', () => {
  it('escapes the operator\'s text in HTML', () => {
    const message = broadcastEmail({
      lang: 'en',
      subject: 'S',
      body: '<b>New</b> & better',
      productName: 'Report',
      links: [],
      downloadLimit: 5,
      linkTtlHours: 168,
      unsubscribePageUrl: 'https://x/u',
      unsubscribePostUrl: 'https://x/api/u',
    });

    expect(message.html).toContain('&lt;b&gt;New&lt;/b&gt; &amp; better');
  });
});
