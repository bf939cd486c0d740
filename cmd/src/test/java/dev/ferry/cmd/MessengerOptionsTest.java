package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.messenger.MessengerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MessengerOptionsTest {
    private static MessengerConfig configOf(String... args) {
        MessengerOptions options = new MessengerOptions();
        new CommandLine(options).parseArgs(args);
        return options.applyTo(MessengerConfig.defaults());
    }

    @Test
    void shouldChangeOnlyTheRepairIntervalWhenItIsGiven() {
        MessengerConfig defaults = MessengerConfig.defaults();
        MessengerConfig config = configOf("--repair-interval", "5s");

        assertThat(config.repairInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.fetchInterval()).isEqualTo(defaults.fetchInterval());
        assertThat(config.acknowledgementCheck()).isEqualTo(defaults.acknowledgementCheck());
        assertThat(config.sweepInterval()).isEqualTo(defaults.sweepInterval());
        assertThat(configOf().repairInterval()).isEqualTo(MessengerConfig.DEFAULT_REPAIR_INTERVAL);
    }

    @Test
    void shouldTakeAMessageLifetimeInDaysAsTheHelpWritesIt() {
        assertThat(configOf("--message-ttl", "30d").ttl()).isEqualTo(Duration.ofDays(30));
        assertThatThrownBy(() -> configOf("--message-ttl", "31d")).hasMessage("--message-ttl must be between 1m and 30d");
    }

    @Test
    void shouldRefuseARepairIntervalOutOfRangeNamingTheOption() {
        assertThatThrownBy(() -> configOf("--repair-interval", "500ms")).hasMessage("--repair-interval must be between 1s and 1d");
        assertThatThrownBy(() -> configOf("--repair-interval", "2d")).hasMessage("--repair-interval must be between 1s and 1d");
    }
}
