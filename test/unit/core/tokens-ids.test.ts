import { describe, expect, it } from 'vitest';
import { orderIdFromUploadKey, parseDownloadToken, parseOrderId, parseSessionId } from '../../../lambdas/core/ids';
import { hashToken, mintToken, tokenRefusal } from '../../../lambdas/core/tokens';
import { cleanFileName, extensionOf, isEmail } from '../../../lambdas/core/validation';
import { escapeHtml } from '../../../lambdas/core/html';
import { deliveryEmail } from '../../../lambdas/core/emails';

describe('tokens', () => {
  it('mints 256-bit base64url tokens and stores only their hash', () => {
    const { token, hash } = mintToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashToken(token));
    expect(hash).not.toContain(token);
    expect(mintToken().token).not.toBe(token);
  });

  it.each([
    [{ downloadsLeft: 1, expiresAt: 100, revoked: false }, undefined],
    [{ downloadsLeft: 0, expiresAt: 100, revoked: false }, 'used_up'],
    [{ downloadsLeft: 3, expiresAt: 50, revoked: false }, 'expired'],
    [{ downloadsLeft: 3, expiresAt: 100, revoked: true }, 'revoked'],
  ])('%o at t=60 → %s', (state, reason) => {
    expect(tokenRefusal(state, 60)).toBe(reason);
  });
});

describe('ids', () => {
  it('accepts only v4 UUIDs as order ids', () => {
    expect(parseOrderId(crypto.randomUUID())).toBeDefined();
    expect(parseOrderId('3b241101-e2bb-1255-8caf-4136c566a962')).toBeUndefined();
    expect(parseOrderId('../etc/passwd')).toBeUndefined();
    expect(parseOrderId(undefined)).toBeUndefined();
  });

  it('parses session ids and tokens strictly', () => {
    expect(parseSessionId('cs_test_abc123')).toBe('cs_test_abc123');
    expect(parseSessionId('cs_abc')).toBeUndefined();
    expect(parseDownloadToken('a'.repeat(43))).toBeDefined();
    expect(parseDownloadToken('a'.repeat(42))).toBeUndefined();
  });

  it('finds the order id in an upload key and nothing else', () => {
    const id = crypto.randomUUID();
    expect(orderIdFromUploadKey(`uploads/${id}/input`)).toBe(id);
    expect(orderIdFromUploadKey(`uploads/${id}/other`)).toBeUndefined();
    expect(orderIdFromUploadKey(`results/${id}/input`)).toBeUndefined();
  });
});

describe('validation', () => {
  it.each([
    ['a@example.com', true],
    ['first.last+tag@sub.example.co.jp', true],
    ['no-at.example.com', false],
    ['two@@example.com', false],
    ['space in@example.com', false],
    ['<script>@example.com', false],
    [`${'a'.repeat(250)}@example.com`, false],
  ])('isEmail(%s) = %s', (email, ok) => {
    expect(isEmail(email)).toBe(ok);
  });

  it('finds extensions case-insensitively and cleans names', () => {
    expect(extensionOf('Data.CSV')).toBe('.csv');
    expect(extensionOf('.bashrc')).toBe('');
    expect(extensionOf('archive.tar.gz')).toBe('.gz');
    expect(cleanFileName('../../evil\u0000name.csv')).toBe('....evilname.csv');
  });
});

describe('emails', () => {
  it('escapes the customer’s file name in HTML and speaks the order’s language', () => {
    const input = { productName: 'Report', orderId: 'o1', fileName: '<img src=x onerror=alert(1)>.csv', downloadUrl: 'http://x/d/t', files: ['report.html'], downloadLimit: 5, linkTtlHours: 168, orderUrl: 'http://x/order.html?id=o1' };
    const en = deliveryEmail({ ...input, lang: 'en' });
    expect(en.html).not.toContain('<img');
    expect(en.html).toContain(escapeHtml('<img src=x onerror=alert(1)>'));
    expect(en.text).toContain('http://x/d/t');
    expect(en.text).toContain('5 times');
    const ja = deliveryEmail({ ...input, lang: 'ja' });
    expect(ja.subject).toContain('準備ができました');
  });

  it.each([
    ['en', 'Your files:', /report\.json \(the same figures as data \(JSON\)/, /each file you download uses one of the 5 \(downloading all 2 files once uses 2\)/],
    ['ja', 'お届けするファイル:', /report\.json（?.*データ（JSON）/, /ファイルを1つダウンロードするごとに1回と数えます（2つのファイルを1回ずつダウンロードすると2回）/],
  ] as const)('the ready email (%s) lists every delivered file with its own address and how each counts against the limit', (lang, heading, jsonLine, counting) => {
    const input = { productName: 'Report', orderId: 'o1', fileName: 'sales.csv', downloadUrl: 'http://x/d/t', files: ['report.html', 'report.json'], downloadLimit: 5, linkTtlHours: 168, orderUrl: 'http://x/order.html?id=o1' };
    const mail = deliveryEmail({ ...input, lang });
    expect(mail.text).toContain(heading);
    expect(mail.text).toMatch(/report\.html.*\n {2}http:\/\/x\/d\/t\n/);
    expect(mail.text).toMatch(/report\.json.*\n {2}http:\/\/x\/d\/t\/report\.json\n/);
    expect(mail.text).toMatch(jsonLine);
    expect(mail.text).toMatch(counting);
    expect(mail.html).toContain('<a href="http://x/d/t/report.json">report.json</a>');
    expect(mail.html).toContain('<a href="http://x/d/t">report.html</a>');
  });
});
