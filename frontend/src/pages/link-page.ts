/**
 * Where the download route sends a browser whose link no longer works:
 * `link.html?reason=used_up|expired|revoked|unknown`.
 */
import '../styles.css';
import { startPage } from '../chrome';
import { setText } from '../i18n';
import type { MessageKey } from '../messages';

const reasons: Record<string, MessageKey> = {
  used_up: 'link.used_up',
  expired: 'link.expired',
  revoked: 'link.revoked',
  unknown: 'link.unknown',
};

const reason = new URLSearchParams(location.search).get('reason') ?? 'unknown';
const slot = document.getElementById('link-reason');
// setText records the key, so the language switch re-translates it with the static text.
if (slot) setText(slot, Object.hasOwn(reasons, reason) ? (reasons[reason] ?? 'link.unknown') : 'link.unknown');
startPage();
