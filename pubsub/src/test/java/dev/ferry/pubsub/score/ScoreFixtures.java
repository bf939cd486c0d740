package dev.ferry.pubsub.score;

import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.message.MessageId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;

/** Test fixture: peers, addresses, and parameters with every score component off. */
final class ScoreFixtures {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String TOPIC = "ferry/group/test";

    private ScoreFixtures() {}

    /** A valid sha2-256 PeerId whose digest is {@code n} repeated. */
    static PeerId peer(int n) {
        byte[] bytes = new byte[34];
        bytes[0] = 0x12;
        bytes[1] = 32;
        for (int i = 2; i < bytes.length; i++) bytes[i] = (byte) (n * 31 + i);
        bytes[33] = (byte) (n >>> 8);
        bytes[32] = (byte) n;
        return PeerId.fromBytes(bytes);
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static MessageId msg(int n) {
        return MessageId.of(new byte[] {'m', (byte) (n >>> 8), (byte) n});
    }

    static Instant at(double seconds) {
        return T0.plus(Duration.ofNanos(Math.round(seconds * 1e9)));
    }

    /** Topic parameters with every weight 0: each test turns on what it measures. */
    static TopicScoreParams.Builder quietTopic() {
        return TopicScoreParams.builder()
                .topicWeight(1)
                .timeInMeshWeight(0)
                .firstMessageDeliveriesWeight(0)
                .meshMessageDeliveriesWeight(0)
                .meshFailurePenaltyWeight(0)
                .invalidMessageDeliveriesWeight(0);
    }

    /** Peer parameters with P5, P6 and P7 off, no topic cap, 1 s decay interval. */
    static PeerScoreParams.Builder quietPeers(TopicScoreParams topic) {
        return PeerScoreParams.builder()
                .topic(TOPIC, topic)
                .topicScoreCap(0)
                .appSpecificWeight(0)
                .ipColocationFactorWeight(0)
                .behaviourPenaltyWeight(0)
                .decayInterval(Duration.ofSeconds(1))
                .decayToZero(0.01)
                .retainScore(Duration.ofMinutes(10));
    }
}
