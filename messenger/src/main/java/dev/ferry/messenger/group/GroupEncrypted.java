package dev.ferry.messenger.group;

import java.util.Arrays;

/**
 * An encrypted group message: the signed sender-key message to publish on the group's topic and
 * to store in the epoch's group mailbox, and the state to keep (persist it with the message).
 */
public record GroupEncrypted(byte[] message, GroupState next) {
    public GroupEncrypted {
        message = message.clone();
    }

    @Override
    public byte[] message() {
        return message.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupEncrypted e && Arrays.equals(e.message, message) && e.next.equals(next);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(message);
    }

    @Override
    public String toString() {
        return "GroupEncrypted[" + message.length + " bytes, epoch " + next.epoch() + "]";
    }
}
