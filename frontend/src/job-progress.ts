/**
 * The order page's progress bar: follows the `progress` the job reports (docs/jobs.md) while it
 * runs, and hides otherwise. Kept apart from pages/order-page.ts, which calls it on every render.
 */
import { t } from './i18n';
import type { OrderView } from './api';

export function renderJobProgress(bar: HTMLProgressElement, order: OrderView): void {
  const running = order.job === 'processing' && order.progress !== undefined;
  bar.hidden = !running;
  if (!running) return;
  bar.setAttribute('aria-label', t('status.progress'));
  if (bar.value !== order.progress) bar.value = order.progress ?? 0;
}
