/**
 * Where the download route sends a browser whose link no longer works:
 * `link.html?reason=used_up|expired|revoked|unknown`. Used-up, expired and unknown links point to
 * "Lost your link?" for fresh ones; a revoked one says why there are none.
 */
import '../styles.css';
import { byId, show, startPage } from '../chrome';
import { setText } from '../i18n';
import type { MessageKey } from '../messages';

const reasons: Record<string, MessageKey> = {
  used_up: 'link.used_up',
  expired: 'link.expired',
  revoked: 'link.revoked',
  unknown: 'link.unknown',
};

const reason = new URLSearchParams(location.search).get('reason') ?? 'unknown';
// setText records the key, so the language switch re-translates it with the static text.
setText(byId('link-reason'), Object.hasOwn(reasons, reason) ? (reasons[reason] ?? 'link.unknown') : 'link.unknown');
// A revoked link belongs to a refunded or disputed payment, and "Lost your link?" mails no fresh
// link for those (lambdas/core/lookup.ts noLinkReason): offering one would be a promise it breaks.
const revoked = reason === 'revoked';
show(byId('link-lookup'), !revoked);
show(byId('link-revoked-help'), revoked);
startPage();
