import { RedisServer } from '../test/helpers/redis.js';
import { type Client, connectPairs, ServerUnderTest } from '../bench/load/harness.js';
const redis = await RedisServer.start();
const nodes = await Promise.all([0, 1].map(() => ServerUnderTest.start('icebreaker', { BENCH_REDIS_URL: redis.url })));
try {
  const clients = await connectPairs('icebreaker', (n) => nodes[n % 2]!.port, 40, 'x');
  for (let t = 0; t < 100; t++) { for (const c of clients) c.send(); await new Promise((r) => setTimeout(r, 10)); }
  for (let w = 0; w < 20; w++) { await new Promise((r) => setTimeout(r, 250)); console.log(clients.reduce((n, c) => n + c.received, 0)); }
} catch (e) { console.log('ERR', e); }
for (const n of nodes) await n.stop();
await redis.kill();
process.exit(0);
