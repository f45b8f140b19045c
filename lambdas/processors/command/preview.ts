/**
 * The job's `preview.json` (docs/jobs.md): what the order page shows for free. Validated strictly,
 * because it comes from a program the pipeline does not control; stored with `kind: "job"`, beside
 * the built-in profile's own kind (`data-profile`), so the page picks the right renderer.
 */
import * as z from 'zod/mini';

/** Bigger than any useful preview; a job that writes more is refused, not truncated. */
export const MAX_PREVIEW_BYTES = 256 * 1024;
const MAX_TEXT = 2000;
/** The page shows at most 20 rows; the job may send a few more, never thousands. */
const MAX_ROWS = 200;
const MAX_COLUMNS = 50;

const text = z.string().check(z.maxLength(MAX_TEXT));
const cell = z.union([text, z.number().check(z.refine(Number.isFinite, 'a finite number'))]);

export const jobPreviewSchema = z.strictObject({
  title: z.optional(text),
  facts: z.optional(z.array(z.strictObject({ label: text, value: cell })).check(z.maxLength(50))),
  table: z.optional(
    z.strictObject({
      columns: z.array(text).check(z.minLength(1), z.maxLength(MAX_COLUMNS)),
      rows: z.array(z.array(cell).check(z.maxLength(MAX_COLUMNS))).check(z.maxLength(MAX_ROWS)),
    }),
  ),
});

export type JobPreviewFile = z.infer<typeof jobPreviewSchema>;
/** As stored and served by GET /api/orders/{id}. */
export type JobPreview = JobPreviewFile & { kind: 'job' };

/** Parse `preview.json`'s text: the preview, or what is wrong with it (for the job's author). */
export function parseJobPreview(textContent: string): { ok: true; preview: JobPreview } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(textContent);
  } catch (error) {
    return { ok: false, problem: `preview.json is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = jobPreviewSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, problem: `preview.json does not follow the contract: ${problems.join('; ')}` };
  }
  return { ok: true, preview: { kind: 'job', ...parsed.data } };
}
