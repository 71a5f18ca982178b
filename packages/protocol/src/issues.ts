import * as v from 'valibot';

/**
 * valibot's issues as one line for an error message: `where: what` for each, joined by `; ` — the
 * field's dotted path, then the problem (`seq: Invalid safe integer: Received -1.5`). valibot's own
 * `summarize` draws `×` marks and `→ at` lines, made for a terminal, which error codes on the wire and
 * CLI messages should not carry.
 *
 * @example
 * ```ts
 * const parsed = v.safeParse(RoomName, input);
 * if (!parsed.success) throw new TypeError(`room: ${describeIssues(parsed.issues)}`);
 * ```
 */
export function describeIssues(issues: readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]], maxLength = 300): string {
  const text = issues
    .map((issue) => {
      const path = v.getDotPath(issue);
      return path === null ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
