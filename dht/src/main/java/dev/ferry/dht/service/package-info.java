/**
 * The network side of the kad-dht: {@link dev.ferry.dht.service.DhtService} answers requests
 * (server mode), sends them, and drives lookups, puts, gets and provider records over a
 * {@link dev.ferry.overlay.Host}. Per-stream handlers only frame bytes; the service's single
 * thread owns the routing table, the stores and every lookup.
 */
package dev.ferry.dht.service;
