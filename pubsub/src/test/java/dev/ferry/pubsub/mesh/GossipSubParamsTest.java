package dev.ferry.pubsub.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GossipSubParamsTest {

    @Test
    void shouldDefaultToTheSpecsParameters() {
        GossipSubParams p = GossipSubParams.DEFAULTS;

        assertThat(new int[] {p.d(), p.dLo(), p.dHi(), p.dScore(), p.dOut(), p.dLazy()}).containsExactly(6, 4, 12, 4, 2, 6);
        assertThat(p.gossipFactor()).isEqualTo(0.25);
        assertThat(p.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.fanoutTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.historyLength()).isEqualTo(5);
        assertThat(p.historyGossip()).isEqualTo(3);
        assertThat(p.gossipRetransmission()).isEqualTo(3);
        assertThat(p.seenTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(p.pruneBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(p.unsubscribeBackoff()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.graftFloodThreshold()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.prunePeers()).isEqualTo(16);
        assertThat(p.opportunisticGraftTicks()).isEqualTo(60);
        assertThat(p.opportunisticGraftPeers()).isEqualTo(2);
        assertThat(p.maxIHaveLength()).isEqualTo(5000);
        assertThat(p.maxIHaveMessages()).isEqualTo(10);
        assertThat(p.iwantFollowupTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.floodPublish()).isTrue();
        assertThat(p.peerExchange()).isFalse();
        assertThat(p.toBuilder().build()).isEqualTo(p);
    }

    @Test
    void shouldRequireDLoAtMostDAtMostDHi() {
        assertThatThrownBy(() -> GossipSubParams.builder().degrees(6, 7, 12).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().degrees(13, 4, 12).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(GossipSubParams.builder().degrees(8, 8, 8).build().d()).isEqualTo(8);
    }

    @Test
    void shouldRequireDOutBelowDLoAndAtMostHalfOfD() {
        assertThatThrownBy(() -> GossipSubParams.builder().dOut(4).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().degrees(6, 5, 12).dOut(4).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(GossipSubParams.builder().dOut(3).build().dOut()).isEqualTo(3);
    }

    @Test
    void shouldAcceptTheSpecsMeshlessBootstrapperSettings() {
        GossipSubParams bootstrapper = GossipSubParams.builder().degrees(0, 0, 0).dScore(0).dOut(0).peerExchange(true).build();

        assertThat(bootstrapper.d()).isZero();
    }

    @Test
    void shouldRejectOtherInconsistentParameters() {
        assertThatThrownBy(() -> GossipSubParams.builder().dScore(7).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().gossipFactor(1.5).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().gossipFactor(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().history(3, 4).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().heartbeatInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().pruneBackoff(Duration.ofDays(1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().graftFloodThreshold(Duration.ofMinutes(2)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().opportunisticGraftTicks(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubParams.builder().maxIHaveLength(0).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

}
