/** Thrown where a test "kills the process": at a fault step core names, or right after a write lands. */
export class Killed extends Error {
  constructor(readonly step: string) {
    super(`killed at ${step}`);
  }
}
