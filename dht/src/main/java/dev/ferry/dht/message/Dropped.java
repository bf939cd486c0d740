package dev.ferry.dht.message;

/**
 * What {@link DhtMessages} left out of a message it otherwise accepted, counted by cause, so that
 * the caller can count it in its metrics and hold it against the peer that sent it.
 *
 * @param excessPeers closer or provider peers past {@link DhtProtocol#MAX_CLOSER_PEERS} or
 *     {@link DhtProtocol#MAX_PROVIDER_PEERS}, skipped unread
 * @param invalidPeerIds listed peers whose id is not a PeerId (with their addresses)
 * @param duplicatePeers peers listed again in the same list (the first entry is kept)
 * @param invalidAddresses addresses that are not multiaddrs Ferry reads (malformed, or of a
 *     protocol Ferry does not know, such as QUIC), or that name another peer
 * @param excessAddresses addresses past {@link DhtProtocol#MAX_ADDRESSES_PER_PEER} for one peer,
 *     skipped unread
 */
public record Dropped(int excessPeers, int invalidPeerIds, int duplicatePeers, int invalidAddresses, int excessAddresses) {
    /** Nothing dropped. */
    public static final Dropped NONE = new Dropped(0, 0, 0, 0, 0);

    /** Peers dropped, for any reason. */
    public int peers() {
        return excessPeers + invalidPeerIds + duplicatePeers;
    }

    /** Addresses dropped from peers that were kept. */
    public int addresses() {
        return invalidAddresses + excessAddresses;
    }

    /** True if anything was dropped. */
    public boolean any() {
        return peers() + addresses() > 0;
    }
}
