/** Hard limits that keep memory bounded whatever the upload looks like. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_COLUMNS = 10_000;
/** Bytes looked at before the first record to detect format, delimiter and binary content. */
export const SNIFF_BYTES = 64 * 1024;
