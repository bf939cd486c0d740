package dev.ferry.pubsub.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScoreParamsValidationTest {

    @Test
    void shouldAcceptTheDefaults() {
        assertThatCode(TopicScoreParams::defaults).doesNotThrowAnyException();
        assertThatCode(PeerScoreParams::defaults).doesNotThrowAnyException();
        assertThat(PeerScoreThresholds.DEFAULT.graylistThreshold()).isNegative();
        assertThat(TopicScoreParams.defaults().toBuilder().build()).isEqualTo(TopicScoreParams.defaults());
    }

    @Test
    void shouldComputeADecayFactorThatReachesOnePercentInTheGivenIntervals() {
        double factor = PeerScoreParams.decayFactor(100);

        assertThat(Math.pow(factor, 100)).isCloseTo(0.01, within(1e-12));
        assertThat(PeerScoreParams.decayFactor(Duration.ofMinutes(1), Duration.ofSeconds(1)))
                .isCloseTo(PeerScoreParams.decayFactor(60), within(1e-15));
        assertThat(Math.pow(PeerScoreParams.decayFactor(10, 0.5), 10)).isCloseTo(0.5, within(1e-12));
        assertThat(PeerScoreParams.decayFactor(Duration.ofMillis(10), Duration.ofSeconds(1))).isCloseTo(0.01, within(1e-15));
        assertThatThrownBy(() -> PeerScoreParams.decayFactor(0)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> invalidTopicParams() {
        return Stream.of(
                bad("topicWeight", b -> b.topicWeight(-0.1)),
                bad("timeInMeshWeight", b -> b.timeInMeshWeight(-1)),
                bad("timeInMeshQuantum", b -> b.timeInMeshQuantum(Duration.ZERO)),
                bad("timeInMeshCap", b -> b.timeInMeshCap(0)),
                bad("firstMessageDeliveriesWeight", b -> b.firstMessageDeliveriesWeight(-1)),
                bad("firstMessageDeliveriesDecay", b -> b.firstMessageDeliveriesDecay(1)),
                bad("firstMessageDeliveriesDecay", b -> b.firstMessageDeliveriesDecay(0)),
                bad("firstMessageDeliveriesCap", b -> b.firstMessageDeliveriesCap(-5)),
                bad("meshMessageDeliveriesWeight", b -> b.meshMessageDeliveriesWeight(0.5)),
                bad("meshMessageDeliveriesDecay", b -> b.meshMessageDeliveriesDecay(1.5)),
                bad("meshMessageDeliveriesThreshold", b -> b.meshMessageDeliveriesThreshold(0)),
                bad("meshMessageDeliveriesCap", b -> b.meshMessageDeliveriesThreshold(5).meshMessageDeliveriesCap(4)),
                bad("meshMessageDeliveriesWindow", b -> b.meshMessageDeliveriesWindow(Duration.ofMillis(-1))),
                bad("meshMessageDeliveriesActivation", b -> b.meshMessageDeliveriesActivation(Duration.ofMillis(999))),
                bad("meshFailurePenaltyWeight", b -> b.meshFailurePenaltyWeight(1)),
                bad("meshFailurePenaltyDecay", b -> b.meshFailurePenaltyDecay(-0.5)),
                bad("invalidMessageDeliveriesWeight", b -> b.invalidMessageDeliveriesWeight(2)),
                bad("invalidMessageDeliveriesDecay", b -> b.invalidMessageDeliveriesDecay(Double.NaN)),
                bad("topicWeight", b -> b.topicWeight(Double.POSITIVE_INFINITY)));
    }

    private static Arguments bad(String parameter, UnaryOperator<TopicScoreParams.Builder> change) {
        return Arguments.of(parameter, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTopicParams")
    void shouldRefuseTopicParamsOutOfRangeNamingTheParameter(String parameter, UnaryOperator<TopicScoreParams.Builder> change) {
        assertThatThrownBy(() -> change.apply(TopicScoreParams.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(parameter + " must");
    }

    static Stream<Arguments> invalidPeerParams() {
        return Stream.of(
                Arguments.of("topicScoreCap", (UnaryOperator<PeerScoreParams.Builder>) b -> b.topicScoreCap(-1)),
                Arguments.of("appSpecificWeight", (UnaryOperator<PeerScoreParams.Builder>) b -> b.appSpecificWeight(-1)),
                Arguments.of("ipColocationFactorWeight", (UnaryOperator<PeerScoreParams.Builder>) b -> b.ipColocationFactorWeight(1)),
                Arguments.of("ipColocationFactorThreshold", (UnaryOperator<PeerScoreParams.Builder>) b -> b.ipColocationFactorThreshold(0.5)),
                Arguments.of("behaviourPenaltyWeight", (UnaryOperator<PeerScoreParams.Builder>) b -> b.behaviourPenaltyWeight(1)),
                Arguments.of("behaviourPenaltyThreshold", (UnaryOperator<PeerScoreParams.Builder>) b -> b.behaviourPenaltyThreshold(-1)),
                Arguments.of("behaviourPenaltyDecay", (UnaryOperator<PeerScoreParams.Builder>) b -> b.behaviourPenaltyDecay(1)),
                Arguments.of("decayInterval", (UnaryOperator<PeerScoreParams.Builder>) b -> b.decayInterval(Duration.ofMillis(500))),
                Arguments.of("decayToZero", (UnaryOperator<PeerScoreParams.Builder>) b -> b.decayToZero(0)),
                Arguments.of("retainScore", (UnaryOperator<PeerScoreParams.Builder>) b -> b.retainScore(Duration.ofSeconds(-1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPeerParams")
    void shouldRefusePeerParamsOutOfRangeNamingTheParameter(String parameter, UnaryOperator<PeerScoreParams.Builder> change) {
        assertThatThrownBy(() -> change.apply(PeerScoreParams.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(parameter + " must");
    }

    @Test
    void shouldAllowAnyColocationThresholdWhenP6IsOff() {
        assertThatCode(() -> PeerScoreParams.builder().ipColocationFactorWeight(0).ipColocationFactorThreshold(0).build())
                .doesNotThrowAnyException();
    }

    @Test
    void shouldNameTheTopicWhoseParametersAreMissing() {
        java.util.Map<String, TopicScoreParams> topics = new java.util.HashMap<>();
        topics.put("chat", null);
        PeerScoreParams defaults = PeerScoreParams.defaults();

        assertThatThrownBy(() -> new PeerScoreParams(topics, 0, defaults.appSpecificScore(), 1, 0, 1, List.of(), 0, 0, 0.5,
                Duration.ofSeconds(1), 0.01, Duration.ZERO, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic 'chat'");
    }

    @Test
    void shouldKeepTopicsImmutable() {
        PeerScoreParams params = PeerScoreParams.builder().topic("a", TopicScoreParams.defaults()).build();

        assertThatThrownBy(() -> params.topics().put("b", TopicScoreParams.defaults()))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(params.toBuilder().build().topics()).containsOnlyKeys("a");
    }

    @Test
    void shouldAcceptThresholdsInTheSpecsOrder() {
        assertThatCode(() -> new PeerScoreThresholds(0, 0, 0, 0, 0)).doesNotThrowAnyException();
        assertThatCode(() -> new PeerScoreThresholds(-1, -2, -3, 5, 1)).doesNotThrowAnyException();
    }

    static Stream<Arguments> invalidThresholds() {
        return Stream.of(
                Arguments.of("gossipThreshold must be <= 0", new double[] {1, -2, -3, 0, 0}),
                Arguments.of("publishThreshold must be <= gossipThreshold", new double[] {-2, -1, -3, 0, 0}),
                Arguments.of("graylistThreshold must be <= publishThreshold", new double[] {-1, -2, -1.5, 0, 0}),
                Arguments.of("acceptPXThreshold must be >= 0", new double[] {-1, -2, -3, -0.1, 0}),
                Arguments.of("opportunisticGraftThreshold must be >= 0", new double[] {-1, -2, -3, 0, -1}),
                Arguments.of("gossipThreshold must be finite", new double[] {Double.NaN, -2, -3, 0, 0}),
                Arguments.of("graylistThreshold must be finite", new double[] {-1, -2, Double.NEGATIVE_INFINITY, 0, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidThresholds")
    void shouldRefuseThresholdsOutOfOrder(String message, double[] t) {
        assertThatThrownBy(() -> new PeerScoreThresholds(t[0], t[1], t[2], t[3], t[4]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void shouldRefuseLimitsThatBoundNothing() {
        assertThatThrownBy(() -> new PeerScore.Limits(Duration.ofMinutes(1), 0, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDeliveryRecords");
    }
}
