/**
 * What a DHT node stores for others: {@link dev.ferry.dht.store.RecordStore} holds the records
 * PUT_VALUE brings (one per key, the best by the key's validator), {@link
 * dev.ferry.dht.store.ProviderStore} the provider records ADD_PROVIDER brings. Both expire what
 * they hold, are bounded by named limits that refuse new entries rather than evict stored ones
 * (so a flood cannot push out what honest peers stored), and are pure: no I/O, no clock
 * ({@code now} is passed in), no locks. They are single-threaded by contract: the DHT service
 * owns them on its one thread.
 */
package dev.ferry.dht.store;
