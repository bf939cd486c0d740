package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PubSubTopologyTest {
    @Test
    @Timeout(5)
    void endsWhenANodeIsAlreadyLinkedToEveryOther() {
        // 10 nodes, 3 dials each: the last nodes find few or no unlinked others (this once looped for ever)
        for (long seed = 0; seed < 50; seed++) {
            List<int[]> edges = PubSubBenchmark.topology(10, 3, new Random(seed));
            assertThat(edges.size()).isBetween(10, 10 + 10 * 3);
        }
    }

    @Test
    void isTheRingPlusDistinctRandomLinks() {
        List<int[]> edges = PubSubBenchmark.topology(30, 3, new Random(7));
        Set<String> seen = new HashSet<>();
        for (int[] e : edges) {
            assertThat(e[0]).isNotEqualTo(e[1]);
            assertThat(seen.add(Math.min(e[0], e[1]) + "-" + Math.max(e[0], e[1]))).as("edge %s-%s twice", e[0], e[1]).isTrue();
        }
        for (int i = 0; i < 30; i++) assertThat(seen).contains(Math.min(i, (i + 1) % 30) + "-" + Math.max(i, (i + 1) % 30));
        assertThat(edges).hasSize(30 + 30 * 3);
    }
}
