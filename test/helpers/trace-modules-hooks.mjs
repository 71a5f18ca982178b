// The module hooks of trace-modules.mjs (they run on a thread of their own, hence the direct write).
import { writeSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(2, `loaded ${result.url}\n`);
  return result;
}
