package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code ferry demo} runs its whole story with no set-up and reports figures it measured. */
class DemoCommandTest {
    @Test
    void theDemoShowsOneToOneOfflineAndGroupDeliveryAndPrintsItsFigures() {
        CliRun demo = CliRun.of("demo", "--nodes", "8");

        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        assertThat(demo.err()).as(demo.toString()).isEmpty();
        assertThat(demo.out()).contains("== 1:1 chat: alice and bob are both online, so messages go directly, end-to-end encrypted",
                "   carol got  \"Carol, are you there?\"", "   carol got  \"See you then!\"", "== summary");
        assertThat(demo.out()).anySatisfy(line -> assertThat(line).matches(
                "   two holders go away for good: relay-\\d and relay-\\d, their shards with them; shards left per message: [4-6], [4-6], [4-6]"));
        assertThat(demo.out()).anySatisfy(line -> assertThat(line).matches("  1:1 online   first message \\d+ ms \\(with X3DH\\), "
                + "then median \\d+ ms; state: delivered"));
        assertThat(demo.out()).anySatisfy(line -> assertThat(line).matches("  offline      3 messages on [4-8] holders, 2 holders gone "
                + "\\([4-6]\\+ shards left each\\), delivered \\d+ ms after carol's return \\(node start and join included\\)"));
        assertThat(demo.out()).anySatisfy(line -> assertThat(line).matches("  group        3 members, 3 messages over GossipSub, "
                + "median \\d+ ms to every other member"));
        assertThat(demo.out()).anySatisfy(line -> assertThat(line).endsWith("every message delivered exactly once"));
    }

    @Test
    void tooFewNodesAreRefusedInOneLine() {
        CliRun demo = CliRun.of("demo", "--nodes", "7");

        assertThat(demo.exitCode()).isNotZero();
        assertThat(demo.err()).containsExactly("ferry: --nodes must be in 8..64");
    }
}
