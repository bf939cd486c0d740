package dev.ferry.store.erasure;

/** Shards that cannot give back the data or shard asked for; the subclass says why. */
public abstract sealed class ShardDecodingException extends Exception permits NotEnoughShardsException, InconsistentShardsException {
    ShardDecodingException(String message) {
        super(message);
    }
}
