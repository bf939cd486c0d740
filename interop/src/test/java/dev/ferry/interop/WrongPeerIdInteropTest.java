package dev.ferry.interop;

import static dev.ferry.interop.JsPeer.EXCHANGE_TIMEOUT;
import static dev.ferry.interop.JsPeer.START_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.OverlayException;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A dial whose {@code /p2p/} names someone else fails in the Noise handshake, whoever dials. */
@Tag("interop")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WrongPeerIdInteropTest {
    @AutoClose
    private final FerryPeer ferry = FerryPeer.start();

    @Test
    void ferryRefusesAJsListenerThatIsNotThePeerItDialled() {
        PeerId someoneElse = IdentityKeyPair.generate(new SecureRandom()).peerId();
        try (JsPeer js = JsPeer.listen()) {
            Multiaddr jsAddress = js.awaitEvent("listening", START_TIMEOUT).address("addr");
            PeerId jsPeer = jsAddress.peerId().orElseThrow();

            assertThat(ferry.host().dial(jsAddress.withPeerId(someoneElse)))
                    .failsWithin(EXCHANGE_TIMEOUT)
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOf(OverlayException.class)
                    .withMessageContaining(jsPeer.toString())
                    .withMessageContaining(someoneElse.toString());
            assertThat(ferry.host().connections()).isEmpty();
        }
    }

    @Test
    void jsRefusesAFerryListenerThatIsNotThePeerItDialled() {
        PeerId someoneElse = JsPeer.peerIdOf(JsPeer.randomSeed());
        Multiaddr wrongAddress = ferry.listenOnLoopback().withPeerId(someoneElse);

        try (JsPeer js = JsPeer.dial(wrongAddress, "ping")) {
            JsEvent error = js.awaitFailure(EXCHANGE_TIMEOUT);

            assertThat(error.string("name")).isEqualTo("EncryptionFailedError");
            assertThat(error.string("message"))
                    .contains(ferry.peerId().toString())
                    .contains(someoneElse.toString());
            assertThat(js.events("connected")).isEmpty();
            assertThat(ferry.host().connections()).isEmpty();
        }
    }
}
