import * as v from 'valibot';

type KeyedOption<TKey extends string> = v.ObjectSchema<Record<TKey, v.LiteralSchema<string, undefined>> & v.ObjectEntries, undefined>;

/**
 * `v.variant` for unions whose members each have a literal discriminator, found by one map lookup.
 *
 * valibot's `variant` tries each member's discriminator in turn and allocates a closure per parse (it
 * also supports nested variants and non-literal keys, which these unions do not use); on the server's
 * relay path that was a tenth of the CPU spent per signal. This schema is the same variant — same type,
 * same output, same issues when the key matches no member, since it defers to `variant` then — with a
 * direct dispatch when the key names a member.
 */
/* @__NO_SIDE_EFFECTS__ */
export function keyedVariant<const TKey extends string, const TOptions extends readonly KeyedOption<TKey>[]>(
  key: TKey,
  options: TOptions,
): v.VariantSchema<TKey, TOptions, undefined> {
  const schema = v.variant(key, options);
  const byKey = new Map<unknown, TOptions[number]>(options.map((option) => [option.entries[key].literal, option]));
  const fallback = schema['~run'];
  return {
    ...schema,
    '~run'(dataset, config) {
      const input = dataset.value;
      const member = input && typeof input === 'object' ? byKey.get((input as Record<string, unknown>)[key]) : undefined;
      return member ? (member['~run'](dataset, config) as ReturnType<typeof fallback>) : fallback.call(this, dataset, config);
    },
  };
}
