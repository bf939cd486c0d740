package dev.ferry.messenger;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.proto.DeliveryProto;
import dev.ferry.store.FerryStore;
import dev.ferry.store.KeyedRecords;
import dev.ferry.store.PeerBytes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user's address book: a unique name per peer, kept in the store's contacts table. Calls are
 * serialised, so that two adds of one name cannot both pass the uniqueness check.
 */
final class Contacts {
    /** At most this many contacts: an address book, not a directory, and a name lookup reads them all. */
    static final int MAX_CONTACTS = 10_000;
    /** Longest name, in characters: a name is typed on a command line and shown in a list. */
    static final int MAX_NAME_LENGTH = 64;

    private final FerryStore store;
    private final Clock clock;

    Contacts(FerryStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Adds {@code peer} as {@code name}, or renames it if it is a contact already.
     *
     * @throws IllegalArgumentException if the name is not a valid one or another peer has it, or
     *     the address book is full
     */
    synchronized Contact add(String name, PeerId peer) {
        checkName(name);
        List<Contact> all = list();
        for (Contact c : all) {
            if (c.name().equals(name) && !c.peer().equals(peer)) {
                throw new IllegalArgumentException("the name '" + name + "' is taken by " + c.peer());
            }
        }
        boolean known = all.stream().anyMatch(c -> c.peer().equals(peer));
        if (!known && all.size() >= MAX_CONTACTS) throw new IllegalArgumentException("the address book is full (" + MAX_CONTACTS + " contacts)");
        Instant now = clock.instant();
        store.contacts().put(PeerBytes.of(peer.toBytes()), DeliveryProto.ContactRecord.newBuilder()
                .setName(name).setAddedMs(now.toEpochMilli()).build().toByteArray());
        return new Contact(name, peer, now);
    }

    /** Removes the contact named {@code nameOrPeer} (or with that PeerId); returns it if there was one. */
    synchronized Optional<Contact> remove(String nameOrPeer) {
        Optional<Contact> found = find(nameOrPeer);
        found.ifPresent(c -> store.contacts().delete(PeerBytes.of(c.peer().toBytes())));
        return found;
    }

    /** The contact with this name, or whose PeerId this is. */
    synchronized Optional<Contact> find(String nameOrPeer) {
        return list().stream().filter(c -> c.name().equals(nameOrPeer) || c.peer().toString().equals(nameOrPeer)).findFirst();
    }

    /** Every contact, by PeerId. */
    synchronized List<Contact> list() {
        List<Contact> all = new ArrayList<>();
        Optional<PeerBytes> after = Optional.empty();
        while (true) {
            List<Map.Entry<PeerBytes, byte[]>> page = store.contacts().list(after, KeyedRecords.MAX_LIST);
            for (Map.Entry<PeerBytes, byte[]> e : page) all.add(decode(e.getKey(), e.getValue()));
            if (page.size() < KeyedRecords.MAX_LIST) return all;
            after = Optional.of(page.get(page.size() - 1).getKey());
        }
    }

    /**
     * Refuses a name that could not be typed or shown on one line, or that could be taken for a
     * PeerId (a name must never shadow an address).
     */
    static void checkName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("a contact name has 1 to " + MAX_NAME_LENGTH + " characters");
        }
        if (name.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c) && c != ' ')
                || !name.strip().equals(name)) {
            throw new IllegalArgumentException("a contact name has no control characters, tabs or line breaks, and no space at either end");
        }
        if (looksLikePeerId(name)) throw new IllegalArgumentException("'" + name + "' reads as a PeerId: choose a name that does not");
    }

    private static boolean looksLikePeerId(String name) {
        try {
            PeerId.parse(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Contact decode(PeerBytes key, byte[] value) {
        try {
            DeliveryProto.ContactRecord record = DeliveryProto.ContactRecord.parseFrom(value);
            return new Contact(record.getName(), PeerId.fromBytes(key.bytes()), Instant.ofEpochMilli(record.getAddedMs()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable contact record: " + e.getMessage(), e);
        }
    }
}
