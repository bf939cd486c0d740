package dev.ferry.messenger.group;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The GossipSub topic of a group: lowercase hex of {@code SHA-256("ferry/group/v1/topic" || group
 * id)}. It depends on the group id only, never on the name (which members may change and which
 * must not leak), and it is the same in every epoch, so the mesh survives re-keying.
 */
public final class GroupTopic {
    private static final byte[] LABEL = "ferry/group/v1/topic".getBytes(StandardCharsets.US_ASCII);

    private GroupTopic() {}

    /** The topic name of group {@code groupId}. */
    public static String of(byte[] groupId) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK's SHA-256 is unavailable", e);
        }
        sha256.update(LABEL);
        sha256.update(groupId);
        return HexFormat.of().formatHex(sha256.digest());
    }
}
