/**
 * The hosted payment page (the stand-in's "checkout.stripe.com"). Server-rendered HTML with no
 * script; every value is escaped because client_reference_id and email come from the query string.
 */
export interface PaymentPageView {
  productName: string;
  /** Minor units, as Stripe stores them. */
  amount: number;
  currency: string;
  quantity: number;
  email: string;
  clientReferenceId: string | null;
  /** The link's `prefilled_email`, carried to the POST: it becomes the session's `customer_email`. */
  prefilledEmail?: string;
  /** A session created with `customer_email` fixes the address, as Stripe's page does. */
  emailLocked?: boolean;
  error?: string;
  cancelUrl?: string | null;
  /** Set when the page cannot take a payment (inactive link, expired or completed session). */
  closedMessage?: string;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Minor units → "€12.00" / "¥500": Intl knows each currency's decimals (JPY has none). */
export function formatAmount(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

export function renderPaymentPage(view: PaymentPageView): string {
  const total = formatAmount(view.amount * view.quantity, view.currency);
  const each = view.quantity > 1 ? ` (${view.quantity} × ${formatAmount(view.amount, view.currency)})` : '';
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>` : '';
  const cancel = view.cancelUrl ? `<p><a href="${escapeHtml(view.cancelUrl)}">Cancel and go back</a></p>` : '';
  const body = view.closedMessage
    ? `<p class="closed">${escapeHtml(view.closedMessage)}</p>`
    : `${error}
<form method="post">
  <label>Email <input type="email" name="email" autocomplete="email" required value="${escapeHtml(view.email)}"${view.emailLocked ? ' readonly' : ''}></label>
  <label>Card number or test IBAN <input name="card_number" autocomplete="cc-number" required placeholder="4242 4242 4242 4242"></label>
  <input type="hidden" name="client_reference_id" value="${escapeHtml(view.clientReferenceId ?? '')}">
${view.prefilledEmail ? `  <input type="hidden" name="prefilled_email" value="${escapeHtml(view.prefilledEmail)}">\n` : ''}  <button type="submit">Pay ${escapeHtml(total)}</button>
</form>
<p class="hint">Local Stripe stand-in (test mode). Test card 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined.</p>
${cancel}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay ${escapeHtml(view.productName)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
label{display:block;margin:.75rem 0}input:not([type=hidden]){display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#b00020;font-weight:600}.hint{color:#697386;font-size:.85rem}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(view.productName)}</h1>
<p class="price">${escapeHtml(total)}${escapeHtml(each)}</p>
${body}
</main>
</body>
</html>
`;
}
