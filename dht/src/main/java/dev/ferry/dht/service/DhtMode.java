package dev.ferry.dht.service;

/** Whether a node serves the DHT protocol (and so may enter other nodes' routing tables). */
public enum DhtMode {
    /** Serves requests: registers the protocol handler. */
    SERVER,
    /** Only sends requests: never registers the handler, so no peer ever adds it to its table. */
    CLIENT
}
