/** The error code a synchronous call throws (a SectokenError's `code`), or undefined when it returns. */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}
