/** The emails uplock sends, in the order's language. Pure: the Mailer port sends them. */
import { escapeHtml } from './html';
import type { Lang } from './order';

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Extra headers (broadcasts: `List-Unsubscribe`, `List-Unsubscribe-Post`). */
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
}

export interface DeliveryEmailInput {
  readonly lang: Lang;
  readonly productName: string;
  readonly orderId: string;
  readonly fileName: string;
  readonly downloadUrl: string;
  /**
   * The result files the link serves, the primary first: the primary at `downloadUrl`, each other
   * one at `downloadUrl/<name>` (GET /d/{token}/{file}). Each file downloaded takes one download.
   */
  readonly files: readonly string[];
  readonly downloadLimit: number;
  readonly linkTtlHours: number;
  readonly orderUrl: string;
}

/** What a result file is, for the names the built-in data profile delivers. */
const fileDescriptions: Record<Lang, Record<string, string>> = {
  en: { 'report.html': 'the report, to read in a browser or print', 'report.json': 'the same figures as data (JSON), for your own tools' },
  ja: { 'report.html': 'レポート（ブラウザで表示・印刷できます）', 'report.json': '同じ数値のデータ（JSON）。ご自身のツールで使えます' },
};

const copy = {
  en: {
    subject: (p: string) => `Your ${p} is ready`,
    intro: (f: string) => `Thank you for your payment. The full result for "${f}" is ready.`,
    link: 'Download your result:',
    files: 'Your files:',
    limits: (n: number, h: number) => `The link works ${n} times and for ${Math.round(h / 24)} days.`,
    perFile: (n: number, files: number) =>
      `The link works ${n} times in all: each file you download uses one of the ${n} (downloading all ${files} files once uses ${files}).`,
    days: (h: number) => `It expires after ${Math.round(h / 24)} days.`,
    order: 'Your order:',
    footer: 'You receive this email because you paid for this order. Reply to this email if something is wrong.',
  },
  ja: {
    subject: (p: string) => `${p}の準備ができました`,
    intro: (f: string) => `お支払いありがとうございます。「${f}」の結果の準備ができました。`,
    link: '結果のダウンロード:',
    files: 'お届けするファイル:',
    limits: (n: number, h: number) => `このリンクは${n}回まで、${Math.round(h / 24)}日間有効です。`,
    perFile: (n: number, files: number) => `このリンクは合計${n}回までダウンロードできます。ファイルを1つダウンロードするごとに1回と数えます（${files}つのファイルを1回ずつダウンロードすると${files}回）。`,
    days: (h: number) => `有効期間は${Math.round(h / 24)}日間です。`,
    order: 'ご注文:',
    footer: 'このご注文のお支払いをされたため、このメールをお送りしています。問題があればこのメールにご返信ください。',
  },
} as const;

export function deliveryEmail(input: DeliveryEmailInput): EmailMessage {
  const t = copy[input.lang];
  const e = escapeHtml;
  // One file: the link. Several: each file with its own address (the primary at the link itself).
  const files = input.files.map((name, i) => ({
    name,
    url: i === 0 ? input.downloadUrl : `${input.downloadUrl}/${encodeURIComponent(name)}`,
    about: fileDescriptions[input.lang][name],
  }));
  const several = files.length > 1;
  const limits = several
    ? `${t.perFile(input.downloadLimit, files.length)} ${t.days(input.linkTtlHours)}`
    : t.limits(input.downloadLimit, input.linkTtlHours);
  const fileLine = (f: (typeof files)[number]): string => `- ${f.name}${f.about === undefined ? '' : ` (${f.about})`}:\n  ${f.url}`;
  const lines = [
    t.intro(input.fileName),
    '',
    ...(several ? [t.files, ...files.map(fileLine)] : [t.link, input.downloadUrl]),
    '',
    limits,
    `${t.order} ${input.orderUrl}`,
    '',
    t.footer,
  ];
  const fileItem = (f: (typeof files)[number]): string =>
    `<li><a href="${e(f.url)}">${e(f.name)}</a>${f.about === undefined ? '' : ` — ${e(f.about)}`}</li>`;
  const html = `<!doctype html><html lang="${input.lang}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${e(t.intro(input.fileName))}</p>
${several ? `<p>${e(t.files)}</p><ul>${files.map(fileItem).join('')}</ul>` : `<p>${e(t.link)}<br><a href="${e(input.downloadUrl)}">${e(input.downloadUrl)}</a></p>`}
<p>${e(limits)}</p>
<p>${e(t.order)} <a href="${e(input.orderUrl)}">${e(input.orderId)}</a></p>
<p style="color:#666;font-size:0.9em">${e(t.footer)}</p>
</body></html>`;
  return { subject: t.subject(input.productName), text: lines.join('\n'), html };
}

export interface LookupEntry {
  readonly orderId: string;
  readonly fileName: string;
  readonly createdAt: string;
  /** Human state in the email's language is chosen here from these facts. */
  readonly state: 'awaiting_upload' | 'processing' | 'ready_to_pay' | 'failed' | 'paid' | 'refunded' | 'pending';
  readonly orderUrl: string;
  /** A fresh download link, for paid orders only. */
  readonly downloadUrl?: string;
}

const lookupCopy = {
  en: {
    subject: (p: string) => `Your ${p} orders`,
    intro: 'Someone (we hope you) asked for the orders placed with this email address.',
    none: 'We found no orders for this address.',
    fresh: (n: number, h: number) => `The download links above are new: each works ${n} times and for ${Math.round(h / 24)} days.`,
    states: {
      awaiting_upload: 'waiting for the upload',
      processing: 'being analysed',
      ready_to_pay: 'preview ready, not paid yet',
      failed: 'could not be analysed',
      paid: 'paid',
      refunded: 'refunded',
      pending: 'payment settling',
    },
    download: 'Download',
    footer: 'If you did not ask for this, you can ignore this email.',
  },
  ja: {
    subject: (p: string) => `${p}のご注文一覧`,
    intro: 'このメールアドレスでのご注文一覧のリクエストがありました。',
    none: 'このアドレスでのご注文は見つかりませんでした。',
    fresh: (n: number, h: number) => `上記のダウンロードリンクは新しく発行したもので、それぞれ${n}回まで、${Math.round(h / 24)}日間有効です。`,
    states: {
      awaiting_upload: 'アップロード待ち',
      processing: '分析中',
      ready_to_pay: 'プレビュー準備完了・未払い',
      failed: '分析できませんでした',
      paid: 'お支払い済み',
      refunded: '返金済み',
      pending: 'お支払い処理中',
    },
    download: 'ダウンロード',
    footer: 'お心当たりがない場合は、このメールを無視してください。',
  },
} as const;

export function lookupEmail(input: {
  lang: Lang;
  productName: string;
  entries: readonly LookupEntry[];
  downloadLimit: number;
  linkTtlHours: number;
}): EmailMessage {
  const t = lookupCopy[input.lang];
  const e = escapeHtml;
  const hasLinks = input.entries.some((x) => x.downloadUrl);
  const textLines = input.entries.map(
    (x) => `- ${x.fileName} (${x.createdAt.slice(0, 10)}): ${t.states[x.state]}\n  ${x.orderUrl}${x.downloadUrl ? `\n  ${t.download}: ${x.downloadUrl}` : ''}`,
  );
  const text = [t.intro, '', input.entries.length ? textLines.join('\n') : t.none, '', hasLinks ? t.fresh(input.downloadLimit, input.linkTtlHours) : '', t.footer]
    .filter((l, i, all) => l !== '' || all[i - 1] !== '')
    .join('\n');
  const items = input.entries
    .map(
      (x) =>
        `<li><a href="${e(x.orderUrl)}">${e(x.fileName)}</a> (${e(x.createdAt.slice(0, 10))}): ${e(t.states[x.state])}${
          x.downloadUrl ? ` — <a href="${e(x.downloadUrl)}">${e(t.download)}</a>` : ''
        }</li>`,
    )
    .join('');
  const html = `<!doctype html><html lang="${input.lang}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${e(t.intro)}</p>
${input.entries.length ? `<ul>${items}</ul>` : `<p>${e(t.none)}</p>`}
${hasLinks ? `<p>${e(t.fresh(input.downloadLimit, input.linkTtlHours))}</p>` : ''}
<p style="color:#666;font-size:0.9em">${e(t.footer)}</p>
</body></html>`;
  return { subject: t.subject(input.productName), text, html };
}

export type RefundKind = 'duplicate' | 'no_result' | 'refunded';

const refundCopy = {
  en: {
    subject: {
      duplicate: (p: string) => `We refunded a second payment for your ${p}`,
      no_result: (p: string) => `We refunded your ${p}`,
      refunded: (p: string) => `We refunded your ${p}`,
    },
    body: {
      refunded: 'We have refunded your payment for this order in full. Its download links no longer work.',
      duplicate: 'This order was paid twice. We have refunded the second payment in full; the first one stands and your result is (or will be) sent to you as usual.',
      no_result: 'We could not analyse your file, so there is no result to deliver. We have refunded your payment in full: no result, no charge.',
    },
    timing: 'Refunds usually reach your account within 5–10 business days.',
    order: 'Your order:',
  },
  ja: {
    subject: {
      duplicate: (p: string) => `${p}の二重のお支払いを返金しました`,
      no_result: (p: string) => `${p}のお支払いを返金しました`,
      refunded: (p: string) => `${p}のお支払いを返金しました`,
    },
    body: {
      refunded: 'このご注文のお支払いを全額返金しました。ダウンロードリンクは無効になりました。',
      duplicate: 'このご注文は2回お支払いいただいていたため、2回目のお支払いを全額返金しました。1回目のお支払いは有効で、結果は通常どおりお送りします。',
      no_result: 'ファイルを分析できなかったため、お届けできる結果がありません。お支払いは全額返金しました。',
    },
    timing: '返金は通常5〜10営業日でお客様の口座に反映されます。',
    order: 'ご注文:',
  },
} as const;

export function refundEmail(input: { kind: RefundKind; lang: Lang; productName: string; orderId: string; orderUrl: string }): EmailMessage {
  const t = refundCopy[input.lang];
  const e = escapeHtml;
  const body = t.body[input.kind];
  return {
    subject: t.subject[input.kind](input.productName),
    text: [body, '', t.timing, '', `${t.order} ${input.orderUrl}`].join('\n'),
    html: `<!doctype html><html lang="${input.lang}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${e(body)}</p><p>${e(t.timing)}</p><p>${e(t.order)} <a href="${e(input.orderUrl)}">${e(input.orderId)}</a></p>
</body></html>`,
  };
}

const rerunCopy = {
  en: {
    subject: (p: string) => `Your ${p} has been updated`,
    intro: (f: string) => `We have produced your result for "${f}" again with the current version of our analysis. The new result is ready.`,
    link: 'Download the new result:',
    limits: (n: number, h: number) => `The link works ${n} times and for ${Math.round(h / 24)} days. Links you already have now serve the new result too.`,
    order: 'Your order:',
  },
  ja: {
    subject: (p: string) => `${p}を更新しました`,
    intro: (f: string) => `「${f}」の結果を最新の分析で作り直しました。新しい結果の準備ができました。`,
    link: '新しい結果のダウンロード:',
    limits: (n: number, h: number) => `このリンクは${n}回まで、${Math.round(h / 24)}日間有効です。お手元のリンクからも新しい結果をダウンロードできます。`,
    order: 'ご注文:',
  },
} as const;

/** A paid order's result produced again (`uplock orders rerun`): a fresh link to the new revision. */
export function rerunEmail(input: DeliveryEmailInput): EmailMessage {
  const t = rerunCopy[input.lang];
  const e = escapeHtml;
  return {
    subject: t.subject(input.productName),
    text: [t.intro(input.fileName), '', t.link, input.downloadUrl, '', t.limits(input.downloadLimit, input.linkTtlHours), `${t.order} ${input.orderUrl}`].join('\n'),
    html: `<!doctype html><html lang="${input.lang}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${e(t.intro(input.fileName))}</p>
<p>${e(t.link)}<br><a href="${e(input.downloadUrl)}">${e(input.downloadUrl)}</a></p>
<p>${e(t.limits(input.downloadLimit, input.linkTtlHours))}</p>
<p>${e(t.order)} <a href="${e(input.orderUrl)}">${e(input.orderId)}</a></p>
</body></html>`,
  };
}

export interface EraseConfirmationInput {
  readonly lang: Lang;
  readonly productName: string;
  readonly orderId: string;
  readonly confirmUrl: string;
  readonly validHours: number;
}

const eraseCopy = {
  en: {
    subject: (p: string) => `Confirm: delete your ${p} order data`,
    intro: 'Someone (we hope you) asked us to delete the data of this order: your upload, its results, the preview and your email address.',
    action: 'To delete it, open this page and press the button there:',
    valid: (h: number) => `The page works for ${h} hours. If you did not ask for this, ignore this email: nothing is deleted.`,
    order: 'Order:',
  },
  ja: {
    subject: (p: string) => `${p}のご注文データ削除の確認`,
    intro: 'このご注文のデータ(アップロードしたファイル、結果、プレビュー、メールアドレス)の削除のリクエストがありました。',
    action: '削除するには、次のページを開き、ページ内のボタンを押してください:',
    valid: (h: number) => `このページは${h}時間有効です。お心当たりがない場合はこのメールを無視してください。何も削除されません。`,
    order: 'ご注文:',
  },
} as const;

/** The buyer's "Delete my data": a link to a page whose button erases (a scanner following links erases nothing). */
export function eraseConfirmationEmail(input: EraseConfirmationInput): EmailMessage {
  const t = eraseCopy[input.lang];
  const e = escapeHtml;
  return {
    subject: t.subject(input.productName),
    text: [t.intro, '', t.action, input.confirmUrl, '', t.valid(input.validHours), `${t.order} ${input.orderId}`].join('\n'),
    html: `<!doctype html><html lang="${input.lang}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${e(t.intro)}</p>
<p>${e(t.action)}<br><a href="${e(input.confirmUrl)}">${e(input.confirmUrl)}</a></p>
<p>${e(t.valid(input.validHours))}</p>
<p>${e(t.order)} ${e(input.orderId)}</p>
</body></html>`,
  };
}
