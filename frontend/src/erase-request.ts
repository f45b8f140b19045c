/**
 * "Delete my data" on the order page: one press asks the API to email the order's address a
 * confirmation link (lambdas/handlers/request-erase.ts); the erase itself happens on erase.html.
 */
import { ApiError, requestErase } from './api';
import { byId, describeError, show } from './chrome';
import { lang, t } from './i18n';

export function wireEraseRequest(orderId: string): void {
  const button = byId<HTMLButtonElement>('erase-request');
  const sent = byId('erase-sent');
  const failure = byId('erase-error');
  button.addEventListener('click', () => {
    show(failure, false);
    button.disabled = true;
    requestErase(orderId, lang()).then(
      () => {
        show(button, false);
        show(sent, true);
      },
      (error: unknown) => {
        button.disabled = false;
        failure.textContent = error instanceof ApiError && error.status === 429 ? t('erase.tooMany') : describeError(error);
        show(failure, true);
      },
    );
  });
}
