package dev.ferry.store.memory;

import dev.ferry.store.FerryStore;
import dev.ferry.store.FerryStoreContract;
import dev.ferry.store.StoreLimits;

/** The store contract on the in-memory store. */
class InMemoryFerryStoreTest extends FerryStoreContract {
    @Override
    protected FerryStore newStore(StoreLimits limits) {
        return InMemoryFerryStore.create(limits);
    }
}
