/**
 * The seam operators use to plug in their own analysis. The process job streams the uploaded
 * object into `process` and stores what comes back: the preview is shown for free, the
 * artifacts are the paid result under results/<orderId>/<name>.
 */
export interface ProcessorInput {
  /** The upload, streamed from S3 GetObject. Never read it whole into memory. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Original file name as the customer gave it (untrusted: escape before rendering). */
  readonly fileName: string;
  /** Byte limit from config: stop and fail with `too_large` past it (local S3 does not enforce it). */
  readonly maxBytes: number;
  /** The order's language (`en`, `ja`): the result is written in it. Absent: English. */
  readonly lang?: string;
  /** The order this result is for, shown in the result's header. Absent: not shown. */
  readonly orderId?: string;
  /** When the job produces the result (ISO 8601), shown in its header. Absent: the processor's clock. */
  readonly generatedAt?: string;
}

export interface Artifact {
  /** File name under results/<orderId>/, e.g. `report.html`. Letters, digits, `.`, `-`, `_` only. */
  readonly name: string;
  readonly contentType: string;
  readonly body: string | Uint8Array;
}

export interface ProcessorResult {
  /** Free preview (JSON-serialisable, small): enough to show it worked, never the paid content. */
  readonly preview: unknown;
  /** The paid result; at least one. */
  readonly artifacts: readonly Artifact[];
  /** Name of the artifact the download link serves. */
  readonly primary: string;
}

/** A failure the customer should be told about, with a message a person understands. */
export class ProcessingError extends Error {
  constructor(
    /** snake_case code, e.g. `empty_file`, `not_text`, `too_large`. */
    readonly code: string,
    /** For a person: shown on the order page and in emails. */
    readonly customerMessage: string,
  ) {
    super(customerMessage);
    this.name = 'ProcessingError';
  }
}

export interface Processor {
  readonly name: string;
  /** Lower-case extensions including the dot, e.g. `.csv`. */
  readonly acceptedExtensions: readonly string[];
  process(input: ProcessorInput): Promise<ProcessorResult>;
}
