package dev.ferry.messenger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.messenger.repair.UpkeepConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpkeepScheduleTest {
    @Test
    void shouldRecheckACompleteEnvelopeAfterSixRoundsButAtMostAnHour() {
        assertThat(FerryNode.upkeepConfig(Duration.ofSeconds(5)).recheckAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(FerryNode.upkeepConfig(Duration.ofSeconds(5)).interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(FerryNode.upkeepConfig(MessengerConfig.DEFAULT_REPAIR_INTERVAL)).isEqualTo(UpkeepConfig.DEFAULTS);
        assertThat(FerryNode.upkeepConfig(Duration.ofHours(2)).recheckAfter()).isEqualTo(UpkeepConfig.DEFAULT_RECHECK_AFTER);
    }
}
