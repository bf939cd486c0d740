package dev.ferry.cmd.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The bearer token that guards a node's HTTP API: 32 random bytes, base64url, in the data
 * directory's {@value #FILE_NAME} file, readable by its owner only. Whoever can read that file
 * may act as the node's user; nobody else can.
 */
public final class ApiToken {
    /** The token's file in the data directory. */
    public static final String FILE_NAME = "api-token";
    /** 256 bits: guessing is hopeless, and the comparison takes the same time whatever the guess. */
    private static final int BYTES = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String value;

    private ApiToken(String value) {
        this.value = value;
    }

    /**
     * The data directory's token, created on first use with owner-only permissions.
     *
     * @throws UncheckedIOException if it cannot be read or written, or is readable by others
     */
    public static ApiToken loadOrCreate(Path dataDir, SecureRandom random) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] bytes = new byte[BYTES];
                random.nextBytes(bytes);
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                    Files.writeString(file, token + "\n", StandardCharsets.US_ASCII);
                } catch (FileAlreadyExistsException e) {
                    // another process created it first: use that one
                }
            }
            return load(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the API token " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The data directory's token.
     *
     * @throws UncheckedIOException if there is none (the node never ran there), or it is unreadable
     *     or readable by others
     */
    public static ApiToken load(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(permissions)) {
                throw new IOException("it is readable by others (" + PosixFilePermissions.toString(permissions)
                        + "); run: chmod 600 " + file);
            }
            String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (token.length() < 32) throw new IOException("it holds no token");
            return new ApiToken(token);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException("no API token in " + dataDir + ": is a node running with this --data-dir?", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the API token " + file + ": " + e.getMessage(), e);
        }
    }

    /** The token, as a client sends it after {@code Bearer }. */
    public String value() {
        return value;
    }

    /**
     * Whether an {@code Authorization} header carries this token, compared in constant time. The
     * scheme name is case-insensitive (RFC 9110), the token is not.
     */
    public boolean authorizes(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, "Bearer ".length())) return false;
        byte[] given = authorizationHeader.substring("Bearer ".length()).strip().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(given, value.getBytes(StandardCharsets.US_ASCII));
    }

    /** Never the token itself: it stays out of logs. */
    @Override
    public String toString() {
        return "ApiToken[redacted]";
    }
}
