package dev.ferry.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Keeps the node's identity key in its data directory, as {@value #KEY_FILE_NAME}: the protobuf
 * {@code PrivateKey} of the peer-id spec, the format go- and js-libp2p store keys in.
 *
 * <p>As with ssh keys, the file is owner-only: it is created with mode 0600 (in a data directory
 * created 0700), and a key file that other users could read or write is refused rather than used.
 * It is written to a temporary file that is owner-only from the start and then moved into place
 * atomically, so a crash never leaves half a key. An existing key file is never overwritten: a
 * corrupt one stops the node, because replacing it would silently change the node's identity.
 */
public final class NodeKeyStore {
    /** The key file's name inside the data directory. */
    public static final String KEY_FILE_NAME = "identity.key";

    /**
     * Largest key file read. An Ed25519 {@code PrivateKey} is 68 bytes; a larger file is not a
     * key file, and this keeps a wrong path from reading a huge file into memory.
     */
    private static final long MAX_KEY_FILE_BYTES = 1024;

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** Paths made only of these characters can be pasted into a shell unquoted. */
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9._/+:@%=-]+");

    private NodeKeyStore() {}

    /** The key file of {@code dataDir}. */
    public static Path keyFile(Path dataDir) {
        return dataDir.resolve(KEY_FILE_NAME);
    }

    /**
     * The node key of {@code dataDir}: the stored one, or a new one from {@code random} that is
     * stored first (creating the data directory if needed).
     *
     * @throws NodeKeyStoreException if the key file is too open or corrupt, or cannot be read or written
     */
    public static IdentityKeyPair loadOrCreate(Path dataDir, SecureRandom random) {
        Optional<IdentityKeyPair> existing = load(dataDir);
        if (existing.isPresent()) return existing.get();
        IdentityKeyPair created = IdentityKeyPair.generate(random);
        store(dataDir, created);
        return created;
    }

    /**
     * The stored node key of {@code dataDir}, or empty if there is no key file (or no directory).
     *
     * @throws NodeKeyStoreException if the key file is too open or corrupt, or cannot be read
     */
    public static Optional<IdentityKeyPair> load(Path dataDir) {
        Path file = keyFile(dataDir);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NodeKeyStoreException("cannot read key file " + file + ": " + describe(e), e);
        }
        if (!attributes.isRegularFile()) {
            throw new NodeKeyStoreException("key file " + file + " is not a regular file");
        }
        refuseIfTooOpen(file);
        if (attributes.size() > MAX_KEY_FILE_BYTES) {
            throw corrupt(file, "it is " + attributes.size() + " bytes, larger than any key file", null);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new NodeKeyStoreException("cannot read key file " + file + ": " + describe(e), e);
        }
        try {
            return Optional.of(IdentityKeyPair.unmarshalPrivateKey(bytes));
        } catch (IllegalArgumentException e) {
            throw corrupt(file, e.getMessage(), e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static void refuseIfTooOpen(Path file) {
        if (!supportsPosix(file)) return;
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.readAttributes(file, PosixFileAttributes.class).permissions();
        } catch (IOException e) {
            throw new NodeKeyStoreException("cannot read permissions of key file " + file + ": " + describe(e), e);
        }
        if (!Collections.disjoint(permissions, GROUP_OR_OTHERS)) {
            throw new NodeKeyStoreException("permissions " + octal(permissions) + " of key file " + file
                    + " are too open: other users could read or replace the node's private key; run: chmod 600 "
                    + shellQuote(file));
        }
    }

    private static NodeKeyStoreException corrupt(Path file, String reason, Throwable cause) {
        return new NodeKeyStoreException("key file " + file + " is corrupt (" + reason
                + "); it was left untouched: restore it from a backup, or move it away to start with a new identity",
                cause);
    }

    private static void store(Path dataDir, IdentityKeyPair pair) {
        createDataDirectory(dataDir);
        Path file = keyFile(dataDir);
        byte[] encoded = pair.marshalPrivateKey();
        Path temp = null;
        try {
            // Owner-only from creation: there is no moment in which others could open the key.
            temp = supportsPosix(dataDir)
                    ? Files.createTempFile(dataDir, KEY_FILE_NAME + ".", ".tmp",
                            PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
                    : Files.createTempFile(dataDir, KEY_FILE_NAME + ".", ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(encoded);
                while (buffer.hasRemaining()) channel.write(buffer);
                // On disk before the rename, or a crash could publish an empty key file.
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            syncDirectory(dataDir);
        } catch (IOException e) {
            throw new NodeKeyStoreException("cannot write key file " + file + ": " + describe(e), e);
        } finally {
            Arrays.fill(encoded, (byte) 0);
            if (temp != null) deleteQuietly(temp);
        }
    }

    private static void createDataDirectory(Path dataDir) {
        if (Files.isDirectory(dataDir)) return;
        try {
            if (supportsPosix(dataDir)) {
                Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            } else {
                Files.createDirectories(dataDir);
            }
        } catch (FileAlreadyExistsException e) {
            throw new NodeKeyStoreException("data directory " + dataDir + " exists but is not a directory", e);
        } catch (IOException e) {
            throw new NodeKeyStoreException("cannot create data directory " + dataDir + ": " + describe(e), e);
        }
    }

    /** Makes the rename durable. Some platforms cannot open a directory; the rename is still atomic there. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Durability of the directory entry is best effort; the key file itself is synced.
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // The write already failed and is reported; a leftover temporary file is owner-only.
        }
    }

    private static boolean supportsPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String octal(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission permission : permissions) {
            mode |= 1 << (8 - permission.ordinal()); // OWNER_READ is ordinal 0, the 0400 bit
        }
        return String.format("%04o", mode);
    }

    private static String shellQuote(Path path) {
        String text = path.toString();
        if (SHELL_SAFE.matcher(text).matches()) return text;
        return "'" + text.replace("'", "'\\''") + "'";
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file or directory";
        if (e instanceof java.nio.file.NotDirectoryException) return "a parent is not a directory";
        if (e instanceof FileSystemException fse && fse.getReason() != null) return fse.getReason();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
