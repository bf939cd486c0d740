package dev.ferry.overlay.multiaddr;

import dev.ferry.crypto.SeededProperty;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing of both parsers: whatever the input, the only failure is a
 * {@link MultiaddrFormatException}, nothing hangs, and whatever is accepted round-trips.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MultiaddrFuzzTest {
    private static final String[] TOKENS = {
        "/", "/", "/", "ip4", "ip6", "tcp", "dns4", "dns6", "p2p", "ipfs", "udp", "quic", "",
        "1", "0", "65535", "65536", "4001", "00", "-1", "127.0.0.1", "999.1.1.1", "1.2.3", "::", "::1", ":", ".",
        "ffff", "fe80", "%eth0", "[::1]", "1:2:3:4:5:6:7:8", "example.com", "a", "ü", "\u0000", "\n", "\uD800",
        "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
        "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe", "Qm", "bafz", "z", "f0172",
    };

    @Test
    void randomBytesParseOrFailCleanly() {
        SeededProperty.forAll(50_000, random -> {
            int length = random.nextInt(100) == 0 ? random.nextInt(1100) : random.nextInt(48);
            checkBytes(SeededProperty.bytes(random, length));
        });
    }

    @Test
    void randomBytesStartingWithKnownCodesParseOrFailCleanly() {
        byte[][] prefixes = {{0x04}, {0x06}, {0x29}, {0x36}, {0x37}, {(byte) 0xa5, 0x03}};
        SeededProperty.forAll(50_000, random -> {
            byte[] prefix = prefixes[random.nextInt(prefixes.length)];
            byte[] rest = SeededProperty.bytes(random, random.nextInt(40));
            if (rest.length > 0 && random.nextBoolean()) rest[0] = (byte) random.nextInt(rest.length + 2);
            byte[] input = Arrays.copyOf(prefix, prefix.length + rest.length);
            System.arraycopy(rest, 0, input, prefix.length, rest.length);
            checkBytes(input);
        });
    }

    @Test
    void mutatedValidEncodingsParseOrFailCleanly() {
        SeededProperty.forAll(20_000, random -> {
            byte[] input = randomValid(random).toBytes();
            int mutations = 1 + random.nextInt(4);
            for (int i = 0; i < mutations; i++) input = mutate(random, input);
            checkBytes(input);
        });
    }

    @Test
    void randomTextParsesOrFailsCleanly() {
        SeededProperty.forAll(50_000, random -> {
            StringBuilder text = new StringBuilder();
            int tokens = random.nextInt(12);
            for (int i = 0; i < tokens; i++) {
                if (random.nextInt(8) == 0) {
                    text.append((char) random.nextInt(0x10000));
                } else {
                    text.append(TOKENS[random.nextInt(TOKENS.length)]);
                }
            }
            checkText(text.toString());
        });
    }

    @Test
    void mutatedValidTextParsesOrFailsCleanly() {
        SeededProperty.forAll(20_000, random -> {
            StringBuilder text = new StringBuilder(randomValid(random).toString());
            int mutations = 1 + random.nextInt(3);
            for (int i = 0; i < mutations && text.length() > 0; i++) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(4)) {
                    case 0 -> text.deleteCharAt(at);
                    case 1 -> text.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                    case 2 -> text.setCharAt(at, (char) (' ' + random.nextInt(95)));
                    default -> text.setLength(at);
                }
            }
            checkText(text.toString());
        });
    }

    @Test
    void validAddressesRoundTripBetweenTextAndBinary() {
        SeededProperty.forAll(10_000, random -> {
            Multiaddr address = randomValid(random);

            assertThat(Multiaddr.parse(address.toString())).isEqualTo(address);
            assertThat(Multiaddr.fromBytes(address.toBytes())).isEqualTo(address);
            assertThat(Multiaddr.of(address.components())).isEqualTo(address);
            assertThat(address.toBytes().length).isLessThanOrEqualTo(Multiaddr.MAX_BYTES);
        });
    }

    private static void checkBytes(byte[] input) {
        Multiaddr address;
        try {
            address = Multiaddr.fromBytes(input);
        } catch (MultiaddrFormatException refused) {
            assertOneLine(refused);
            return;
        }
        assertThat(address.toBytes()).isEqualTo(input);
        assertThat(Multiaddr.parse(address.toString())).isEqualTo(address);
        assertThat(Multiaddr.parse(address.toString())).hasToString(address.toString());
    }

    private static void checkText(String text) {
        Multiaddr address;
        try {
            address = Multiaddr.parse(text);
        } catch (MultiaddrFormatException refused) {
            assertOneLine(refused);
            return;
        }
        Multiaddr reparsed = Multiaddr.parse(address.toString());
        assertThat(reparsed).isEqualTo(address).hasToString(address.toString());
        assertThat(Multiaddr.fromBytes(address.toBytes())).isEqualTo(address);
    }

    private static void assertOneLine(MultiaddrFormatException refused) {
        assertThat(refused.getMessage()).doesNotContain("\n", "\r").hasSizeLessThan(600);
    }

    /** A valid multiaddr of 1 to 5 random components. */
    static Multiaddr randomValid(Random random) {
        int count = 1 + random.nextInt(5);
        List<Component> components = new ArrayList<>();
        for (int i = 0; i < count; i++) components.add(randomComponent(random));
        return Multiaddr.of(components);
    }

    private static Component randomComponent(Random random) {
        MultiaddrProtocol protocol = MultiaddrProtocol.values()[random.nextInt(MultiaddrProtocol.values().length)];
        return switch (protocol) {
            case IP4 -> new Component(protocol, SeededProperty.bytes(random, 4));
            case IP6 -> {
                byte[] ip = SeededProperty.bytes(random, 16);
                for (int g = 0; g < 8; g++) {
                    if (random.nextBoolean()) ip[2 * g] = ip[2 * g + 1] = 0;
                }
                yield new Component(protocol, ip);
            }
            case TCP -> new Component(protocol, Component.portBytes(random.nextInt(65536)));
            case DNS4, DNS6 -> {
                StringBuilder name = new StringBuilder();
                int length = 1 + random.nextInt(random.nextInt(10) == 0 ? 120 : 20);
                String letters = "abcdefghijklmnopqrstuvwxyz0123456789-.üé日本";
                for (int i = 0; i < length; i++) name.append(letters.charAt(random.nextInt(letters.length())));
                yield Component.parse(protocol, name.toString());
            }
            case P2P -> Component.of(randomPeer(random));
        };
    }

    private static PeerId randomPeer(Random random) {
        if (random.nextBoolean()) return IdentityKeyPair.fromSeed(SeededProperty.bytes(random, 32)).peerId();
        byte[] sha256 = new byte[34];
        sha256[0] = 0x12;
        sha256[1] = 32;
        System.arraycopy(SeededProperty.bytes(random, 32), 0, sha256, 2, 32);
        return PeerId.fromBytes(sha256);
    }

    private static byte[] mutate(Random random, byte[] input) {
        if (input.length == 0) return SeededProperty.bytes(random, 1 + random.nextInt(4));
        int at = random.nextInt(input.length);
        return switch (random.nextInt(7)) {
            case 0 -> { // flip a bit
                byte[] out = input.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
                yield out;
            }
            case 1 -> { // set a byte
                byte[] out = input.clone();
                out[at] = (byte) random.nextInt(256);
                yield out;
            }
            case 2 -> { // insert a byte
                byte[] out = new byte[input.length + 1];
                System.arraycopy(input, 0, out, 0, at);
                out[at] = (byte) random.nextInt(256);
                System.arraycopy(input, at, out, at + 1, input.length - at);
                yield out;
            }
            case 3 -> { // delete a byte
                byte[] out = new byte[input.length - 1];
                System.arraycopy(input, 0, out, 0, at);
                System.arraycopy(input, at + 1, out, at, input.length - at - 1);
                yield out;
            }
            case 4 -> Arrays.copyOf(input, at); // truncate
            case 5 -> { // duplicate a tail
                byte[] out = Arrays.copyOf(input, input.length + (input.length - at));
                System.arraycopy(input, at, out, input.length, input.length - at);
                yield out;
            }
            default -> { // splice another valid address in
                byte[] other = randomValid(random).toBytes();
                byte[] out = Arrays.copyOf(input, at + other.length);
                System.arraycopy(other, 0, out, at, other.length);
                yield out;
            }
        };
    }
}
