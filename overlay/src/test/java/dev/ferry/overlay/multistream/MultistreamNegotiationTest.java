package dev.ferry.overlay.multistream;

import static dev.ferry.overlay.multistream.MultistreamProtocol.LIST;
import static dev.ferry.overlay.multistream.MultistreamProtocol.NOT_AVAILABLE;
import static dev.ferry.overlay.multistream.MultistreamProtocol.PROTOCOL_ID;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure dialer and listener negotiations, alone and talking to each other. */
class MultistreamNegotiationTest {
    private static final String PING = "/ipfs/ping/1.0.0";
    private static final String IDENTIFY = "/ipfs/id/1.0.0";
    private static final String KAD = "/ipfs/kad/1.0.0";

    private static ListenerNegotiation listenerFor(String... protocols) {
        Set<String> supported = Set.of(protocols);
        return new ListenerNegotiation(supported::contains, () -> List.of(protocols));
    }

    /** Runs both sides against each other and returns the dialer's final step. */
    private static Negotiation converse(DialerNegotiation dialer, ListenerNegotiation listener) {
        Deque<String> toListener = new ArrayDeque<>(dialer.start().send());
        Deque<String> toDialer = new ArrayDeque<>();
        for (int turn = 0; turn < 100; turn++) {
            while (!toListener.isEmpty()) {
                Negotiation step = listener.onMessage(toListener.poll());
                assertThat(step.isFailed()).as("listener failed: %s", step.failure()).isFalse();
                toDialer.addAll(step.send());
            }
            while (!toDialer.isEmpty()) {
                Negotiation step = dialer.onMessage(toDialer.poll());
                if (step.isDone() || step.isFailed()) return step;
                toListener.addAll(step.send());
            }
        }
        throw new AssertionError("the negotiation never ended");
    }

    @Test
    void shouldSendTheHeaderAndTheFirstProposalTogether() {
        DialerNegotiation dialer = new DialerNegotiation(List.of(PING, IDENTIFY));

        assertThat(dialer.start().send()).containsExactly(PROTOCOL_ID, PING);
    }

    @Test
    void shouldAgreeOnTheFirstProposalTheListenerSupports() {
        Negotiation end = converse(new DialerNegotiation(List.of(PING)), listenerFor(PING, IDENTIFY));

        assertThat(end.isDone()).isTrue();
        assertThat(end.selected()).isEqualTo(PING);
        assertThat(end.send()).isEmpty();
    }

    @Test
    void shouldTryTheNextProposalAfterNa() {
        DialerNegotiation dialer = new DialerNegotiation(List.of(KAD, IDENTIFY));
        dialer.start();

        assertThat(dialer.onMessage(PROTOCOL_ID).send()).isEmpty();
        assertThat(dialer.onMessage(NOT_AVAILABLE).send()).containsExactly(IDENTIFY);
        Negotiation end = dialer.onMessage(IDENTIFY);

        assertThat(end.selected()).isEqualTo(IDENTIFY);
    }

    @Test
    void shouldAgreeOnTheSecondProposalWithARealListener() {
        Negotiation end = converse(new DialerNegotiation(List.of(KAD, IDENTIFY)), listenerFor(PING, IDENTIFY));

        assertThat(end.selected()).isEqualTo(IDENTIFY);
    }

    @Test
    void shouldReportUnsupportedWhenTheListenerRefusesEveryProposal() {
        Negotiation end = converse(new DialerNegotiation(List.of(KAD, IDENTIFY)), listenerFor(PING));

        assertThat(end.isFailed()).isTrue();
        assertThat(end.isUnsupported()).isTrue();
        assertThat(end.isDone()).isFalse();
        assertThat(end.failure()).contains(KAD).contains(IDENTIFY);
    }

    @Test
    void shouldFailWithoutUnsupportedWhenTheListenerSendsTheWrongHeader() {
        DialerNegotiation dialer = new DialerNegotiation(List.of(PING));
        dialer.start();

        Negotiation step = dialer.onMessage("/multistream/2.0.0");

        assertThat(step.isFailed()).isTrue();
        assertThat(step.isUnsupported()).isFalse();
        assertThat(step.failure()).contains(PROTOCOL_ID);
    }

    @Test
    void shouldFailWhenTheListenerAnswersSomethingElse() {
        DialerNegotiation dialer = new DialerNegotiation(List.of(PING));
        dialer.start();
        dialer.onMessage(PROTOCOL_ID);

        Negotiation step = dialer.onMessage(IDENTIFY);

        assertThat(step.isFailed()).isTrue();
        assertThat(step.isUnsupported()).isFalse();
    }

    @Test
    void shouldMakeControlCharactersPrintableInFailures() {
        DialerNegotiation dialer = new DialerNegotiation(List.of(PING));

        Negotiation step = dialer.onMessage("evil\u001b[2J");

        assertThat(step.failure()).doesNotContain("\u001b");
    }

    @Test
    void shouldAnswerTheHeaderWithTheHeader() {
        ListenerNegotiation listener = listenerFor(PING);

        assertThat(listener.onMessage(PROTOCOL_ID).send()).containsExactly(PROTOCOL_ID);
    }

    @Test
    void shouldFailAListenerThatReceivesTheWrongHeader() {
        ListenerNegotiation listener = listenerFor(PING);

        Negotiation step = listener.onMessage(PING);

        assertThat(step.isFailed()).isTrue();
        assertThat(step.send()).isEmpty();
    }

    @Test
    void shouldEchoASupportedProposalAndSayNaToOthers() {
        ListenerNegotiation listener = listenerFor(PING);
        listener.onMessage(PROTOCOL_ID);

        assertThat(listener.onMessage(KAD).send()).containsExactly(NOT_AVAILABLE);
        Negotiation end = listener.onMessage(PING);

        assertThat(end.isDone()).isTrue();
        assertThat(end.selected()).isEqualTo(PING);
        assertThat(end.send()).containsExactly(PING);
    }

    @Test
    void shouldListItsProtocolsOnLs() {
        ListenerNegotiation listener = listenerFor(PING, IDENTIFY);
        listener.onMessage(PROTOCOL_ID);

        Negotiation answer = listener.onMessage(LIST);

        assertThat(answer.isDone()).isFalse();
        assertThat(answer.send()).singleElement().satisfies(listing ->
                assertThat(listing.split("\n")).containsExactlyInAnyOrder(PING, IDENTIFY));
        assertThat(listener.onMessage(PING).selected()).as("negotiation goes on after ls").isEqualTo(PING);
    }

    @Test
    void shouldGiveUpOnADialerThatProposesTooManyProtocols() {
        ListenerNegotiation listener = listenerFor(PING);
        listener.onMessage(PROTOCOL_ID);
        for (int i = 0; i < MultistreamProtocol.MAX_PROPOSALS; i++) {
            assertThat(listener.onMessage("/unknown/" + i).send()).containsExactly(NOT_AVAILABLE);
        }

        Negotiation step = listener.onMessage(PING);

        assertThat(step.isFailed()).isTrue();
    }
}
