/**
 * Order page, `order.html?id=<orderId>` (bookmarkable). Stripe's Payment Link sends the customer
 * back to `order.html?session_id=<cs_…>`: we ask the API which order that session paid for and
 * replace the URL with the order's own. Then we poll the order about once a second until it
 * reaches a state that only the customer (paying) or nobody can change.
 */
import '../styles.css';
import { ApiError, getOrder, orderForCheckoutSession, type OrderView, type SiteConfig } from '../api';
import { byId, describeError, show, siteConfig, startPage } from '../chrome';
import { wireEraseRequest } from '../erase-request';
import { formatDuration, formatNumber, formatPrice, onLangChange, t } from '../i18n';
import type { MessageKey } from '../messages';
import { isFinal, orderStatus, orderSteps, waitsForPerson, type Said, type StepState } from '../order-status';
import { renderPreview } from '../preview';
import { renderJobProgress } from '../job-progress';

startPage();

const problem = byId('order-problem');
const problemText = byId('order-problem-text');
const orderNumber = byId('order-number');
const body = byId('order-body');
/** order.html's loading shapes: shown until the first thing this script knows (order or problem). */
const skeleton = byId('order-skeleton');
const stepsList = byId<HTMLOListElement>('steps');
const statusMain = byId('status-main');
const statusDetail = byId('status-detail');
const connection = byId('connection');
const paySection = byId('pay');
const payText = byId('pay-text');
const payLink = byId<HTMLAnchorElement>('pay-link');
const previewSection = byId('preview');
const previewBody = byId('preview-body');
const jobProgress = byId<HTMLProgressElement>('job-progress');

const params = new URLSearchParams(location.search);
/** Set when we came back from Stripe: the webhook may still be on its way. */
const returnedFromPayment = params.get('paid') === '1' || params.has('session_id');
const pageOpenedAt = Date.now();
/** After this long without word from Stripe, stop claiming a payment is on its way. */
const confirmWindowMs = 60_000;
const awaitingHelpAfterMs = 20_000;
/** Payment states this page has seen; a payment that went pending → unpaid failed. */
const seenPayments = new Set<OrderView['payment']>();

/** True while "we are confirming your payment" is the honest thing to say. */
function awaitingConfirmation(order: OrderView): boolean {
  return (
    returnedFromPayment &&
    order.payment === 'unpaid' &&
    !seenPayments.has('pending') &&
    !seenPayments.has('paid') &&
    Date.now() - pageOpenedAt < confirmWindowMs
  );
}

let config: SiteConfig | undefined;
let view: OrderView | undefined;
let renderedPreview: string | undefined;

const fastPollMs = 1_000;
/** While only a person can move the order on (the customer paying, the shop refunding by hand), poll gently. */
const slowPollMs = 5_000;
const maxBackoffMs = 15_000;

/** A message key (re-translated on language change) or a server-supplied sentence. */
let problemMessage: MessageKey | { text: string } | undefined;

function showProblem(message: MessageKey | { text: string }): void {
  problemMessage = message;
  problemText.textContent = typeof message === 'string' ? t(message) : message.text;
  show(problem, true);
  show(body, false);
  show(skeleton, false);
}

const stepStateKey: Record<StepState, MessageKey | undefined> = {
  done: 'stepState.done',
  current: 'stepState.current',
  pending: 'stepState.pending',
  failed: 'stepState.failed',
  // The label says it all ("Refunded", "Payment disputed").
  ended: undefined,
};

function renderSteps(order: OrderView): void {
  stepsList.setAttribute('aria-label', t('order.stepsLabel'));
  const items = orderSteps(order).map(([label, state]) => {
    const item = document.createElement('li');
    item.className = `step step-${state}`;
    if (state === 'current') item.setAttribute('aria-current', 'step');
    const name = document.createElement('span');
    name.className = 'step-name';
    name.textContent = t(label);
    const stateKey = stepStateKey[state];
    if (stateKey === undefined) {
      item.append(name);
      return item;
    }
    const stateText = document.createElement('span');
    stateText.className = 'visually-hidden';
    stateText.textContent = ` ${t(stateKey)}`;
    item.append(name, stateText);
    return item;
  });
  stepsList.replaceChildren(...items);
}

/** The link rules' parameters, once the shop's config is loaded (and only if it sets both). */
function linkRules(): Record<string, string> | undefined {
  if (!config || config.downloadLimit <= 0 || config.linkTtlHours <= 0) return undefined;
  return { limit: formatNumber(config.downloadLimit), ttl: formatDuration(config.linkTtlHours) };
}

const say = ({ key, params }: Said): string => t(key, params);

function statusText(order: OrderView): { main: string; detail: string } {
  const rules = linkRules();
  const status = orderStatus(order, {
    awaitingConfirmation: awaitingConfirmation(order),
    sawPending: seenPayments.has('pending'),
    uploadLingers: Date.now() - pageOpenedAt > awaitingHelpAfterMs,
    ...(rules ? { linkRules: rules } : {}),
  });
  return { main: say(status.main), detail: status.detail.map(say).filter(Boolean).join(' ') };
}

function setIfChanged(element: HTMLElement, text: string): void {
  // Rewriting identical text makes some screen readers announce the live region again.
  if (element.textContent !== text) element.textContent = text;
  show(element, text !== '');
}

/** What this browser itself entered for the order, if it still has it (the API never returns it). */
function withPrefilledEmail(payUrl: string, orderId: string): string {
  let email: string | null = null;
  try {
    email = sessionStorage.getItem(`uplock-email:${orderId}`);
  } catch {
    // Storage off: no prefill.
  }
  if (!email) return payUrl;
  const url = new URL(payUrl);
  url.searchParams.set('prefilled_email', email);
  return url.toString();
}

function renderPay(order: OrderView): void {
  // While a payment we just made is being confirmed, a second Pay button invites paying twice.
  const canPay = order.payUrl !== undefined && order.job === 'done' && order.payment === 'unpaid' && !awaitingConfirmation(order);
  show(paySection, canPay);
  if (!canPay || !order.payUrl) return;
  const price = config ? formatPrice(config.price.amount, config.price.currency) : '';
  payLink.href = withPrefilledEmail(order.payUrl, order.orderId);
  payLink.textContent = price ? t('pay.button', { price }) : t('pay.heading');
  payText.textContent = config
    ? t('pay.text', { price, limit: formatNumber(config.downloadLimit), ttl: formatDuration(config.linkTtlHours) })
    : '';
}

function renderPreviewSection(order: OrderView): void {
  const hasPreview = order.preview !== undefined && order.job === 'done';
  show(previewSection, hasPreview);
  if (!hasPreview) return;
  // Redraw only when the preview (or the language) changed, so scrolling and focus inside the
  // table survive the polling.
  const key = `${document.documentElement.lang}:${JSON.stringify(order.preview)}`;
  if (key === renderedPreview) return;
  renderedPreview = key;
  renderPreview(previewBody, order.preview);
}

function render(): void {
  if (!view) return;
  byId('order-id').textContent = view.orderId;
  show(orderNumber, true);
  show(skeleton, false);
  show(body, true);
  renderSteps(view);
  const { main, detail } = statusText(view);
  setIfChanged(statusMain, main);
  setIfChanged(statusDetail, detail);
  renderPay(view);
  renderPreviewSection(view);
  renderJobProgress(jobProgress, view);
}

function nextDelay(order: OrderView): number {
  return waitsForPerson(order, awaitingConfirmation(order)) ? slowPollMs : fastPollMs;
}

let timer: number | undefined;
let failures = 0;

async function poll(orderId: string): Promise<void> {
  timer = undefined;
  let delay = fastPollMs;
  try {
    view = await getOrder(orderId);
    seenPayments.add(view.payment);
    failures = 0;
    show(connection, false);
    render();
    if (isFinal(view)) return;
    delay = nextDelay(view);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
      showProblem('order.notFound');
      return;
    }
    failures += 1;
    delay = Math.min(maxBackoffMs, fastPollMs * 2 ** failures);
    if (view) {
      connection.textContent = t('status.reconnecting');
      show(connection, true);
    } else if (failures >= 3) {
      showProblem({ text: describeError(error) });
    }
  }
  schedule(orderId, delay);
}

function schedule(orderId: string, delay: number): void {
  if (timer !== undefined) window.clearTimeout(timer);
  timer = window.setTimeout(() => void poll(orderId), delay);
}

async function resolveSession(sessionId: string): Promise<string | undefined> {
  setIfChanged(statusMain, t('order.confirmingSession'));
  show(skeleton, false);
  show(body, true);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      return await orderForCheckoutSession(sessionId);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) break;
      if (attempt === 4) {
        showProblem({ text: describeError(error) });
        return undefined;
      }
      await new Promise((resolve) => window.setTimeout(resolve, 1_000 * (attempt + 1)));
    }
  }
  showProblem('order.sessionNotFound');
  return undefined;
}

async function main(): Promise<void> {
  siteConfig().then(
    (loaded) => {
      config = loaded;
      render();
    },
    () => {
      // The order page works without the config; only the price and link rules are missing.
    },
  );
  let orderId = params.get('id') ?? undefined;
  const sessionId = params.get('session_id');
  if (!orderId && sessionId) {
    orderId = await resolveSession(sessionId);
    if (!orderId) return;
    // A bookmarkable URL for this order; `paid=1` keeps "confirming your payment" on reload.
    history.replaceState(null, '', `./order.html?id=${encodeURIComponent(orderId)}&paid=1`);
  }
  if (!orderId) {
    showProblem('order.missing');
    return;
  }
  const id = orderId;
  wireEraseRequest(id);
  await poll(id);
  // Background tabs need no second-by-second polling; catch up as soon as the tab is back.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && timer !== undefined && view && !isFinal(view)) schedule(id, 0);
  });
}

onLangChange(() => {
  renderedPreview = undefined;
  render();
  if (problemMessage) showProblem(problemMessage);
  if (!view && statusMain.textContent) setIfChanged(statusMain, t('order.confirmingSession'));
});

void main();
