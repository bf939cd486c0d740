package dev.ferry.messenger.group;

import dev.ferry.crypto.PeerId;
import java.util.Arrays;

/**
 * A group message read: its sender (a member of its epoch's roster), the epoch, the plaintext,
 * and the state to keep. The plaintext never appears in {@link #toString()}.
 */
public record GroupDecrypted(PeerId sender, long epoch, byte[] plaintext, GroupState next) {
    public GroupDecrypted {
        plaintext = plaintext.clone();
    }

    @Override
    public byte[] plaintext() {
        return plaintext.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupDecrypted d && d.sender.equals(sender) && d.epoch == epoch
                && Arrays.equals(d.plaintext, plaintext) && d.next.equals(next);
    }

    @Override
    public int hashCode() {
        return sender.hashCode() * 31 + Long.hashCode(epoch);
    }

    @Override
    public String toString() {
        return "GroupDecrypted[from " + sender + ", epoch " + epoch + ", " + plaintext.length + " bytes]";
    }
}
