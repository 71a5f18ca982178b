// Loaded with `node --import`: the process then writes `loaded <url>` on stderr for every module it
// resolves, so that a test can see what a command really loads (see test/cli/lazy-redis.test.ts).
import { register } from 'node:module';

register('./trace-modules-hooks.mjs', import.meta.url);
