package dev.ferry.pubsub.cache;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.RandomPeerIds;
import dev.ferry.pubsub.message.MessageId;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageCacheTest {
    private final Random random = new Random(11);
    private final PeerId alice = RandomPeerIds.peer(random);
    private final PeerId bob = RandomPeerIds.peer(random);

    private static MessageId id(String name) {
        return MessageId.of(name.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldGossipOnlyTheIdsOfTheLastThreeWindows() {
        MessageCache<String> cache = new MessageCache<>();
        cache.put(id("m0"), "chat", "zero", 4);
        cache.shift();
        cache.put(id("m1"), "chat", "one", 3);
        cache.shift();
        cache.put(id("m2"), "chat", "two", 3);
        cache.shift();
        cache.put(id("m3"), "chat", "three", 5);
        cache.put(id("other"), "news", "x", 1);

        assertThat(cache.gossipIds("chat")).containsExactly(id("m3"), id("m2"), id("m1"));
        assertThat(cache.gossipIds("news")).containsExactly(id("other"));
        assertThat(cache.gossipIds("none")).isEmpty();
        // m0 is no longer gossiped but still answers IWANT: 5 windows are kept, 3 gossiped.
        assertThat(cache.get(id("m0"))).contains("zero");
    }

    @Test
    void shouldGroupGossipIdsByTopicInOneScan() {
        MessageCache<String> cache = new MessageCache<>();
        cache.put(id("a1"), "a", "x", 1);
        cache.shift();
        cache.put(id("b1"), "b", "x", 1);
        cache.put(id("a2"), "a", "x", 1);

        assertThat(cache.gossipIdsByTopic()).containsOnlyKeys("a", "b");
        assertThat(cache.gossipIdsByTopic().get("a")).containsExactly(id("a2"), id("a1"));
        assertThat(cache.gossipIdsByTopic().get("b")).containsExactly(id("b1"));
    }

    @Test
    void shouldDropAMessageAfterHistoryLengthShifts() {
        MessageCache<String> cache = new MessageCache<>();
        cache.put(id("m"), "chat", "body", 4);

        for (int i = 0; i < 4; i++) cache.shift();
        assertThat(cache.get(id("m"))).contains("body");
        assertThat(cache.gossipIds("chat")).isEmpty();

        cache.shift();
        assertThat(cache.get(id("m"))).isEmpty();
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void shouldKeepTheFirstCopyOfADuplicateId() {
        MessageCache<String> cache = new MessageCache<>();

        assertThat(cache.put(id("m"), "chat", "first", 5)).isTrue();
        assertThat(cache.put(id("m"), "chat", "second", 6)).isFalse();

        assertThat(cache.get(id("m"))).contains("first");
        assertThat(cache.bytes()).isEqualTo(5);
        assertThat(cache.gossipIds("chat")).containsExactly(id("m"));
    }

    @Test
    void shouldServeOnePeerTheSameMessageAtMostGossipRetransmissionTimes() {
        MessageCache<String> cache = new MessageCache<>();
        cache.put(id("m"), "chat", "body", 4);

        for (int i = 0; i < MessageCache.DEFAULT_GOSSIP_RETRANSMISSION; i++) {
            assertThat(cache.getForIWant(id("m"), alice)).contains("body");
        }
        assertThat(cache.getForIWant(id("m"), alice)).isEmpty();
        assertThat(cache.iwantCount(id("m"), alice)).isEqualTo(MessageCache.DEFAULT_GOSSIP_RETRANSMISSION);
        assertThat(cache.getForIWant(id("m"), bob)).contains("body");
        assertThat(cache.getForIWant(id("missing"), bob)).isEmpty();
        // A plain get counts nothing.
        assertThat(cache.get(id("m"))).contains("body");
        assertThat(cache.iwantCount(id("m"), bob)).isEqualTo(1);
    }

    @Test
    void shouldRefuseIWantFromMorePeersThanItCountsPerMessage() {
        MessageCache<String> cache = new MessageCache<>();
        cache.put(id("m"), "chat", "body", 4);
        for (PeerId peer : RandomPeerIds.peers(random, MessageCache.MAX_IWANT_PEERS_PER_MESSAGE)) {
            assertThat(cache.getForIWant(id("m"), peer)).isPresent();
        }

        assertThat(cache.getForIWant(id("m"), RandomPeerIds.peer(random))).isEmpty();
    }

    @Test
    void shouldEvictTheOldestMessagesWhenTheMessageBoundIsReached() {
        MessageCache<String> cache = new MessageCache<>(5, 3, 3, 1_000, 3);
        cache.put(id("m1"), "chat", "1", 1);
        cache.shift();
        cache.put(id("m2"), "chat", "2", 1);
        cache.put(id("m3"), "chat", "3", 1);

        cache.put(id("m4"), "chat", "4", 1);

        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.contains(id("m1"))).isFalse();
        assertThat(cache.gossipIds("chat")).containsExactly(id("m4"), id("m3"), id("m2"));
        assertThat(cache.evicted()).isEqualTo(1);
    }

    @Test
    void shouldEvictTheOldestMessagesWhenTheByteBoundIsReachedAndRefuseOneLargerThanTheBound() {
        MessageCache<String> cache = new MessageCache<>(5, 3, 100, 10, 3);
        cache.put(id("m1"), "chat", "1", 4);
        cache.put(id("m2"), "chat", "2", 4);

        cache.put(id("m3"), "chat", "3", 4);

        assertThat(cache.contains(id("m1"))).isFalse();
        assertThat(cache.bytes()).isEqualTo(8);
        assertThat(cache.put(id("huge"), "chat", "h", 11)).isFalse();
        assertThat(cache.contains(id("m2"))).isTrue();
        assertThat(cache.bytes()).isLessThanOrEqualTo(10);
    }

    @Test
    void shouldGossipNothingWithAHistoryGossipOfZero() {
        MessageCache<String> cache = new MessageCache<>(5, 0, 100, 100, 3);
        cache.put(id("m"), "chat", "x", 1);

        assertThat(cache.gossipIds("chat")).isEmpty();
        assertThat(cache.get(id("m"))).contains("x");
    }

    @Test
    void shouldRejectInvalidBounds() {
        assertThatThrownBy(() -> new MessageCache<String>(0, 0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageCache<String>(3, 4, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageCache<String>(5, 3, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageCache<String>(5, 3, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageCache<String>(5, 3, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCompareMessageIdsByContentAndBoundTheirLength() {
        assertThat(id("abc")).isEqualTo(id("abc")).hasSameHashCodeAs(id("abc")).isNotEqualTo(id("abd"));
        byte[] bytes = {1, 2, 3};
        MessageId key = MessageId.of(bytes);
        bytes[0] = 9;
        assertThat(key.bytes()).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> MessageId.of(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageId.of(new byte[MessageId.MAX_LENGTH + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
