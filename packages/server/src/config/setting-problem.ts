import * as v from 'valibot';

/** Why a set of settings was refused: the first problem found, for its caller to word. */
export interface SettingProblem {
  /**
   * `value`: one setting's value is wrong; `between`: settings that do not go together; `unknown`:
   * a key that is no setting (a typo must not be ignored).
   */
  readonly kind: 'value' | 'between' | 'unknown';
  /** The setting the problem is reported on. */
  readonly key: string;
  /** The value given for that setting (the whole of it, also when one item of a list is wrong). */
  readonly value: unknown;
  /**
   * For `value`, what was expected ("a whole number from 2 to 256"); for `between`, the whole
   * sentence, with each setting written `{key}` (see {@link nameSettings}).
   */
  readonly expected: string;
}

/**
 * Runs `schema` (an object of settings) over `input`, and returns its output, or the first problem.
 * Every way of giving settings (library options, flags, variables, a config file) goes through this.
 */
export function checkSettings<TSchema extends v.GenericSchema<Readonly<Record<string, unknown>>>>(
  schema: TSchema,
  input: Readonly<Record<string, unknown>>,
): { readonly ok: true; readonly output: v.InferOutput<TSchema> } | { readonly ok: false; readonly problem: SettingProblem } {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, output: result.output };
  const [issue] = result.issues;
  const key = String(issue.path?.[0]?.key ?? '');
  const kind = issue.type === 'strict_object' ? 'unknown' : issue.type === 'partial_check' ? 'between' : 'value';
  return { ok: false, problem: { kind, key, value: input[key], expected: issue.message } };
}

/** Writes each `{key}` of a `between` problem's sentence as `name` says. */
export function nameSettings(sentence: string, name: (key: string) => string): string {
  return sentence.replace(/\{(\w+)\}/g, (_, key: string) => name(key));
}

/** A value as an error may show it: never a secret, never a password in a URL, never much of it. */
export function shownValue(text: string, secret: boolean): string {
  return secret ? '…' : text.replace(/\/\/[^@/]*@/, '//…@').slice(0, 80);
}
