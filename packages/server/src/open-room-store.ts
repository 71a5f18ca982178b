import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import { MemoryStore } from './memory/memory-store.js';
import type { RoomStore, StoreEvents } from './room-store.js';

/**
 * The store `config` asks for: Redis when `redisUrl` is set, else this process's memory. The Redis
 * store (and ioredis with it) is imported only then, so a server without `--redis` never loads it.
 * Resolves once the store can serve; rejects when Redis cannot be reached in time.
 */
export async function openRoomStore(config: ServerConfig, events: StoreEvents, log: Logger): Promise<RoomStore> {
  if (config.redisUrl === null) return new MemoryStore(config, events, config.resumeSecret);
  const { RedisStore } = await import('./redis/redis-store.js');
  return RedisStore.open(config.redisUrl, config, events, log);
}
