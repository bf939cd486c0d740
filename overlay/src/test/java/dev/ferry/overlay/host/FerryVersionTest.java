package dev.ferry.overlay.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class FerryVersionTest {
    @Test
    void shouldAnnounceTheVersionTheBuildWroteAsTheAgent() {
        assertThat(HostConfig.ferryVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(HostConfig.builder(IdentityKeyPair.generate(new SecureRandom())).build().agentVersion())
                .isEqualTo("ferry/" + HostConfig.ferryVersion());
    }
}
