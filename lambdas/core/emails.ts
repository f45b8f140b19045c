/** The emails uplock sends, in the order's language. Pure: the Mailer port sends them. */
import { escapeHtml } from './html';
import type { Lang } from './order';

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface DeliveryEmailInput {
  readonly lang: Lang;
  readonly productName: string;
  readonly orderId: string;
  readonly fileName: string;
  readonly downloadUrl: string;
  readonly downloadLimit: number;
  readonly linkTtlHours: number;
  readonly orderUrl: string;
}

const copy = {
  en: {
    subject: (p: string) => `Your ${p} is ready`,
    intro: (f: string) => `Thank you for your payment. The full result for "${f}" is ready.`,
    link: 'Download your result:',
    limits: (n: number, h: number) => `The link works ${n} times and for ${Math.round(h / 24)} days.`,
    order: 'Your order:',
    footer: 'You receive this email because you paid for this order. Reply to this email if something is wrong.',
  },
  ja: {
    subject: (p: string) => `${p}の準備ができました`,
    intro: (f: string) => `お支払いありがとうございます。「${f}」の結果の準備ができました。`,
    link: '結果のダウンロード:',
    limits: (n: number, h: number) => `このリンクは${n}回まで、${Math.round(h / 24)}日間有効です。`,
    order: 'ご注文:',
    footer: 'このご注文のお支払いをされたため、このメールをお送りしています。問題があればこのメールにご返信ください。',
  },
} as const;

export function deliveryEmail(input: DeliveryEmailInput): EmailMessage {
  const t = copy[input.lang];
  const lines = [
    t.intro(input.fileName),
    '',
    t.link,
    input.downloadUrl,
    '',
    t.limits(input.downloadLimit, input.linkTtlHours),
    `${t.order} ${input.orderUrl}`,
    '',
    t.footer,
  ];
  const e = escapeHtml;
  const html = `<!doctype html><html lang="${input.lang}"><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${e(t.intro(input.fileName))}</p>
<p>${e(t.link)}<br><a href="${e(input.downloadUrl)}">${e(input.downloadUrl)}</a></p>
<p>${e(t.limits(input.downloadLimit, input.linkTtlHours))}</p>
<p>${e(t.order)} <a href="${e(input.orderUrl)}">${e(input.orderId)}</a></p>
<p style="color:#666;font-size:0.9em">${e(t.footer)}</p>
</body></html>`;
  return { subject: t.subject(input.productName), text: lines.join('\n'), html };
}
