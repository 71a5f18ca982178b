import type { Logger } from 'pino';
import type { AddressBook } from './address-book.js';
import { ClusterHub } from './cluster/cluster-hub.js';
import type { ServerConfig } from './config.js';
import { Hub, type SignalingHub } from './hub.js';
import type { ServerMetrics } from './metrics.js';

/**
 * Makes the hub the config asks for — rooms in this process's memory, or in Redis with `redisUrl` —
 * and resolves once it can serve. The one place that knows which hubs exist.
 */
export async function openHub(config: ServerConfig, metrics: ServerMetrics, log: Logger, addresses: AddressBook): Promise<SignalingHub> {
  if (config.redisUrl === null) return new Hub(config, metrics, log, addresses);
  const hub = new ClusterHub(config.redisUrl, config, metrics, log, addresses);
  try {
    await hub.connected();
  } catch (error) {
    await hub.close();
    throw error;
  }
  return hub;
}
