/**
 * The first, simple processor: counts rows and names the columns of a CSV. It exists so the
 * pipeline is whole; the default processor is the data profile in ./profile.
 */
import { escapeHtml } from '../core/html';
import { ProcessingError, type Processor } from './processor';

export const csvSummaryProcessor: Processor = {
  name: 'csv-summary',
  acceptedExtensions: ['.csv'],
  async process({ body, maxBytes }) {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let bytes = 0;
    let rows = 0;
    let header: string | undefined;
    let pending = '';
    try {
      for await (const chunk of body) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) throw new ProcessingError('too_large', 'The file is larger than the upload limit.');
        if (chunk.includes(0)) throw new ProcessingError('not_text', 'This file is not a text CSV file.');
        pending += decoder.decode(chunk, { stream: true });
        const lines = pending.split(/\r?\n/);
        pending = lines.pop() ?? '';
        if (pending.length > 1_000_000) throw new ProcessingError('line_too_long', 'A line in this file is longer than 1 MB.');
        for (const line of lines) {
          if (header === undefined) header = line;
          else if (line) rows++;
        }
      }
      pending += decoder.decode();
    } catch (error) {
      if (error instanceof ProcessingError) throw error;
      if (error instanceof TypeError) throw new ProcessingError('invalid_encoding', 'This file is not valid UTF-8 text.');
      throw error;
    }
    if (pending) {
      if (header === undefined) header = pending;
      else rows++;
    }
    if (bytes === 0 || header === undefined) throw new ProcessingError('empty_file', 'The file is empty.');
    const columns = header.split(',').map((c) => c.trim());
    const preview = { rows, columns: columns.length, columnsList: columns.slice(0, 50).map((name) => ({ name, type: 'unknown' })) };
    const report = `<!doctype html><meta charset="utf-8"><title>Summary</title><h1>Summary</h1><p>${rows} rows, ${columns.length} columns</p><ul>${columns
      .map((c) => `<li>${escapeHtml(c)}</li>`)
      .join('')}</ul>`;
    return {
      preview,
      artifacts: [
        { name: 'report.html', contentType: 'text/html; charset=utf-8', body: report },
        { name: 'report.json', contentType: 'application/json', body: JSON.stringify({ rows, columns }) },
      ],
      primary: 'report.html',
    };
  },
};
