/**
 * "Lost your link?" by email (lambdas/core/lookup.ts, lambdas/core/emails.ts): the sentence about
 * fresh links refers to links the reader has already passed, and a refunded or disputed order is
 * listed with its state but gets no fresh link.
 */
import { describe, expect, it } from 'vitest';
import type { EmailMessage } from '../../../lambdas/core/emails';
import { lookupEmail } from '../../../lambdas/core/emails';
import type { OrderId } from '../../../lambdas/core/ids';
import { sendOrderLinks, type LookupToken } from '../../../lambdas/core/lookup';
import type { Lang, Order } from '../../../lambdas/core/order';

const SITE = 'https://shop.example.com';

function order(id: string, overrides: Partial<Order> = {}): Order {
  return {
    orderId: id as OrderId,
    email: 'ann@example.com',
    fileName: `${id}.csv`,
    size: 100,
    lang: 'en',
    createdAt: '2026-12-01T10:00:00.000Z',
    job: 'done',
    primaryArtifact: 'report.html',
    payment: 'paid',
    paidAt: '2026-12-01T10:01:00.000Z',
    deliveredAt: '2026-12-01T10:02:00.000Z',
    expiresAt: 0,
    ...overrides,
  };
}

async function lookup(orders: Order[], lang: Lang = 'en'): Promise<{ mail: EmailMessage; tokens: LookupToken[] }> {
  const tokens: LookupToken[] = [];
  const mails: EmailMessage[] = [];
  await sendOrderLinks('ann@example.com', orders, lang, {
    store: { attachToken: async (token) => void tokens.push(token) },
    mailer: { send: async (_to, message) => void mails.push(message) },
    settings: { siteUrl: SITE, productName: 'Report', downloadLimit: 5, linkTtlHours: 168 },
  });
  expect(mails).toHaveLength(1);
  return { mail: mails[0] as EmailMessage, tokens };
}

describe('the lookup email', () => {
  it.each([
    ['en', 'The download links above are new: each works 5 times and for 7 days.'],
    ['ja', '上記のダウンロードリンクは新しく発行したもので、それぞれ5回まで、7日間有効です。'],
  ] as const)('%s: says the links are above, after the last link, in the text and the HTML', (lang, sentence) => {
    // Prepare
    const entries = ['a', 'b'].map((id) => ({
      orderId: id,
      fileName: `${id}.csv`,
      createdAt: '2026-12-01T10:00:00.000Z',
      state: 'paid' as const,
      orderUrl: `${SITE}/order.html?id=${id}`,
      downloadUrl: `${SITE}/d/token-${id}`,
    }));

    // Act
    const mail = lookupEmail({ lang, productName: 'Report', entries, downloadLimit: 5, linkTtlHours: 168 });

    // Assess: the sentence follows the last download link, and no wording points down
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(sentence);
      expect(body.indexOf(sentence)).toBeGreaterThan(body.lastIndexOf(`${SITE}/d/token-b`));
      expect(body).not.toMatch(/below|以下/);
    }
  });

  it.each([
    ['refunded', { payment: 'refunded', refundedAt: '2026-12-02T00:00:00.000Z' }, 'refunded'],
    ['disputed', { disputedAt: '2026-12-02T00:00:00.000Z' }, 'paid'],
  ] as const)('a %s order is listed without a fresh link', async (_label, overrides, state) => {
    // Act
    const { mail, tokens } = await lookup([order('gone', overrides)]);

    // Assess: no token minted, no /d/ link, no "links above" sentence, the order page still linked
    expect(tokens).toEqual([]);
    expect(mail.text).not.toContain('/d/');
    expect(mail.html).not.toContain('/d/');
    expect(mail.text).not.toContain('download links above');
    expect(mail.text).toContain(`gone.csv (2026-12-01): ${state}`);
    expect(mail.text).toContain(`${SITE}/order.html?id=gone`);
  });

  it('gives the paid order beside a refunded one its fresh link, and only it', async () => {
    // Act
    const { mail, tokens } = await lookup([order('kept'), order('gone', { payment: 'refunded' })]);

    // Assess
    expect(tokens.map((token) => token.orderId)).toEqual(['kept']);
    expect(mail.text.match(/\/d\//g)).toHaveLength(1);
    expect(mail.text).toMatch(/kept\.csv[^\n]*\n[^\n]*\n {2}Download: https:\/\/shop\.example\.com\/d\//);
  });
});
