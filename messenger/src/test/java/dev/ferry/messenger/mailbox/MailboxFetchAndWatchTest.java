package dev.ferry.messenger.mailbox;

import static dev.ferry.messenger.mailbox.MailboxTestNetwork.START;
import static dev.ferry.messenger.mailbox.MailboxTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.memory.InMemoryFerryStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** FETCH and WATCH: only the mailbox owner's fresh signature for this holder lists or watches a mailbox. */
class MailboxFetchAndWatchTest {
    private static final Instant EXPIRES = START.plus(Duration.ofDays(2));

    private final MailboxTestNetwork network = new MailboxTestNetwork();
    private final IdentityKeyPair owner = IdentityKeyPair.generate(MailboxTestNetwork.RANDOM);

    @AfterEach
    void close() {
        network.close();
    }

    private MailboxTestNetwork.Holder holder(MailboxConfig config) {
        return network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS), config);
    }

    private List<TestEnvelope> storeEnvelopes(MailboxTestNetwork.Holder holder, int count) {
        MailboxTestNetwork.Peer sender = network.peer();
        List<TestEnvelope> envelopes = new ArrayList<>();
        for (int e = 0; e < count; e++) {
            TestEnvelope envelope = TestEnvelope.to(owner.peerId(), START, EXPIRES, 200);
            for (int i = 0; i < envelope.total(); i++) {
                assertThat(join(sender.client().store(holder.peerId(), envelope.header(), i, envelope.shard(i))).isOk()).isTrue();
            }
            envelopes.add(envelope);
        }
        return envelopes;
    }

    @Test
    void shouldListTheOwnersMailboxPageByPageWithCheckedShards() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        List<TestEnvelope> envelopes = storeEnvelopes(holder, 3);
        MailboxTestNetwork.Peer ownerPeer = network.peer(owner, MailboxConfig.DEFAULTS);

        Set<String> seen = new HashSet<>();
        Optional<byte[]> cursor = Optional.empty();
        int pages = 0;
        do {
            FetchedPage page = join(ownerPeer.client().fetch(holder.peerId(), owner, cursor, 5));
            assertThat(page.reply()).isEqualTo(MailboxReply.OK);
            assertThat(page.rejected()).isZero();
            assertThat(page.shards()).hasSizeLessThanOrEqualTo(5);
            for (FetchedShard shard : page.shards()) {
                assertThat(shard.header().shardMatches(shard.index(), shard.data())).isTrue();
                assertThat(seen.add(java.util.HexFormat.of().formatHex(shard.header().envelopeId()) + "#" + shard.index())).isTrue();
            }
            cursor = page.nextCursor();
            pages++;
        } while (cursor.isPresent());

        assertThat(seen).hasSize(18);
        assertThat(pages).isEqualTo(4);
        assertThat(envelopes).allSatisfy(e -> assertThat(seen).contains(java.util.HexFormat.of().formatHex(e.header().envelopeId()) + "#5"));
    }

    @Test
    void shouldLetAGroupKeyHolderFetchFromAnyPeer() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        storeEnvelopes(holder, 1);
        MailboxTestNetwork.Peer member = network.peer(); // its own node key; the shared key is `owner`

        FetchedPage page = join(member.client().fetch(holder.peerId(), owner, Optional.empty(), 0));

        assertThat(page.reply()).isEqualTo(MailboxReply.OK);
        assertThat(page.shards()).hasSize(6);
    }

    @Test
    void shouldCutAPageAtItsByteBoundButAlwaysReturnOneShard() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS.withFetchPage(100, 1));
        storeEnvelopes(holder, 1);
        MailboxTestNetwork.Peer ownerPeer = network.peer(owner, MailboxConfig.DEFAULTS);

        FetchedPage first = join(ownerPeer.client().fetch(holder.peerId(), owner, Optional.empty(), 0));
        FetchedPage second = join(ownerPeer.client().fetch(holder.peerId(), owner, first.nextCursor(), 0));

        assertThat(first.shards()).hasSize(1);
        assertThat(second.shards()).hasSize(1);
        assertThat(second.shards().getFirst().index()).isEqualTo(first.shards().getFirst().index() + 1);
    }

    @Test
    void shouldRefuseAFetchBySomeoneElse() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        storeEnvelopes(holder, 1);
        MailboxTestNetwork.Peer stranger = network.peer();
        MailboxKey victim = MailboxKey.of(Mailbox.keyFor(owner.peerId()));
        // The stranger signs correctly with its own key, but for the victim's mailbox.
        MailboxAuthorisation own = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.FETCH, stranger.identity(),
                holder.peerId(), victim, new byte[0], network.clock.instant());

        MailboxResponse answer = join(stranger.client().exchange(holder.peerId(),
                List.of(new MailboxRequest.Fetch(1, own, new byte[0], 0)))).getFirst();

        assertThat(answer.status()).isEqualTo(MailboxStatus.WRONG_MAILBOX);
        assertThat(answer).isInstanceOf(MailboxResponse.Plain.class);
    }

    @Test
    void shouldRefuseASignatureMadeForAnotherHolderAnotherCursorOrAWatch() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        MailboxTestNetwork.Holder otherHolder = holder(MailboxConfig.DEFAULTS);
        storeEnvelopes(holder, 1);
        MailboxTestNetwork.Peer eavesdropper = network.peer();
        MailboxKey mailbox = MailboxKey.of(Mailbox.keyFor(owner.peerId()));
        Instant now = network.clock.instant();
        MailboxAuthorisation forOther = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.FETCH, owner,
                otherHolder.peerId(), mailbox, new byte[0], now);
        MailboxAuthorisation forWatch = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.WATCH, owner,
                holder.peerId(), mailbox, new byte[0], now);
        MailboxAuthorisation fromStart = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.FETCH, owner,
                holder.peerId(), mailbox, new byte[0], now);

        List<MailboxResponse> answers = join(eavesdropper.client().exchange(holder.peerId(), List.of(
                new MailboxRequest.Fetch(1, forOther, new byte[0], 0),
                new MailboxRequest.Fetch(2, forWatch, new byte[0], 0),
                new MailboxRequest.Fetch(3, fromStart, new byte[MailboxLimits.CURSOR_BYTES], 0),
                new MailboxRequest.Fetch(4, fromStart, new byte[0], 0))));

        assertThat(answers).extracting(MailboxResponse::status).containsExactly(
                MailboxStatus.BAD_SIGNATURE, MailboxStatus.BAD_SIGNATURE, MailboxStatus.BAD_SIGNATURE, MailboxStatus.OK);
    }

    @Test
    void shouldRefuseAStaleSignature() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        storeEnvelopes(holder, 1);
        Clock behind = Clock.fixed(START.minus(MailboxConfig.DEFAULT_AUTHORISATION_SKEW).minusSeconds(1), ZoneOffset.UTC);
        Clock ahead = Clock.fixed(START.plus(MailboxConfig.DEFAULT_AUTHORISATION_SKEW).plusSeconds(1), ZoneOffset.UTC);
        Clock close = Clock.fixed(START.plus(MailboxConfig.DEFAULT_AUTHORISATION_SKEW).minusSeconds(1), ZoneOffset.UTC);

        assertThat(join(network.peerWithClock(behind).client().fetch(holder.peerId(), owner, Optional.empty(), 0)).reply().status())
                .isEqualTo(MailboxStatus.STALE_AUTHORISATION);
        assertThat(join(network.peerWithClock(ahead).client().fetch(holder.peerId(), owner, Optional.empty(), 0)).reply().status())
                .isEqualTo(MailboxStatus.STALE_AUTHORISATION);
        assertThat(join(network.peerWithClock(close).client().fetch(holder.peerId(), owner, Optional.empty(), 0)).reply())
                .isEqualTo(MailboxReply.OK);
    }

    @Test
    void shouldRefuseAReplayedFetchOnceTheSkewWindowHasPassed() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        storeEnvelopes(holder, 1);
        MailboxTestNetwork.Peer ownerPeer = network.peer(owner, MailboxConfig.DEFAULTS);
        MailboxAuthorisation captured = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.FETCH, owner, holder.peerId(),
                MailboxKey.of(Mailbox.keyFor(owner.peerId())), new byte[0], network.clock.instant());
        MailboxRequest.Fetch request = new MailboxRequest.Fetch(1, captured, new byte[0], 0);
        assertThat(join(ownerPeer.client().exchange(holder.peerId(), List.of(request))).getFirst().status())
                .isEqualTo(MailboxStatus.OK);

        network.clock.advance(MailboxConfig.DEFAULT_AUTHORISATION_SKEW.plusSeconds(1));

        assertThat(join(network.peer().client().exchange(holder.peerId(), List.of(request))).getFirst().status())
                .isEqualTo(MailboxStatus.STALE_AUTHORISATION);
    }

    @Test
    void shouldRefuseACursorOfTheWrongLength() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        MailboxTestNetwork.Peer ownerPeer = network.peer(owner, MailboxConfig.DEFAULTS);

        FetchedPage page = join(ownerPeer.client().fetch(holder.peerId(), owner, Optional.of(new byte[5]), 0));

        assertThat(page.reply().status()).isEqualTo(MailboxStatus.BAD_CURSOR);
    }

    @Test
    void shouldPushTheHeaderOfEachNewShardToAWatcher() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        MailboxTestNetwork.Peer ownerPeer = network.peer(owner, MailboxConfig.DEFAULTS);
        List<String> heard = new CopyOnWriteArrayList<>();
        MailboxWatch watch = join(ownerPeer.client().watch(holder.peerId(), owner,
                (header, index) -> heard.add(java.util.HexFormat.of().formatHex(header.envelopeId()) + "#" + index)));
        assertThat(watch.isOpen()).isTrue();
        assertThat(holder.metrics().watchers()).isEqualTo(1);

        TestEnvelope envelope = storeEnvelopes(holder, 1).getFirst();
        storeEnvelopes(holder, 0);

        String id = java.util.HexFormat.of().formatHex(envelope.header().envelopeId());
        await().atMost(MailboxTestNetwork.WAIT).until(() -> heard.size() == 6);
        assertThat(heard).containsExactly(id + "#0", id + "#1", id + "#2", id + "#3", id + "#4", id + "#5");

        watch.close();
        await().atMost(MailboxTestNetwork.WAIT).until(() -> holder.metrics().watchers() == 0);
    }

    @Test
    void shouldNotPushAnotherMailboxsShardsOrAStoreThatWasAlreadyHeld() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        MailboxTestNetwork.Peer ownerPeer = network.peer(owner, MailboxConfig.DEFAULTS);
        TestEnvelope mine = storeEnvelopes(holder, 1).getFirst();
        List<EnvelopeHeader> heard = new CopyOnWriteArrayList<>();
        join(ownerPeer.client().watch(holder.peerId(), owner, (header, index) -> heard.add(header)));
        MailboxTestNetwork.Peer sender = network.peer();
        TestEnvelope other = TestEnvelope.to(IdentityKeyPair.generate(MailboxTestNetwork.RANDOM).peerId(), START, EXPIRES, 100);

        join(sender.client().store(holder.peerId(), mine.header(), 0, mine.shard(0)));
        join(sender.client().store(holder.peerId(), other.header(), 0, other.shard(0)));
        TestEnvelope fresh = TestEnvelope.to(owner.peerId(), START, EXPIRES, 100);
        join(sender.client().store(holder.peerId(), fresh.header(), 0, fresh.shard(0)));

        await().atMost(MailboxTestNetwork.WAIT).until(() -> !heard.isEmpty());
        assertThat(heard).containsExactly(fresh.header());
    }

    @Test
    void shouldRefuseAWatchPastTheWatcherLimitOfItsMailbox() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS.withWatchers(1, 16, 100, 64));
        MailboxTestNetwork.Peer ownerPeer = network.peer(owner, MailboxConfig.DEFAULTS);
        MailboxTestNetwork.Peer stranger = network.peer();

        join(ownerPeer.client().watch(holder.peerId(), owner, (h, i) -> {}));
        var second = ownerPeer.client().watch(holder.peerId(), owner, (h, i) -> {});
        var strangersOwn = stranger.client().watch(holder.peerId(), stranger.identity(), (h, i) -> {});

        assertThatThrownBy(second::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(MailboxRefusedException.class,
                        refused -> assertThat(refused.reply().status()).isEqualTo(MailboxStatus.TOO_MANY_WATCHERS));
        assertThat(join(strangersOwn).isOpen()).isTrue();
        assertThat(holder.metrics().requests(RequestType.WATCH, MailboxStatus.TOO_MANY_WATCHERS)).isEqualTo(1);
        assertThat(holder.metrics().watchers()).isEqualTo(2);
    }

    @Test
    void shouldRefuseAWatchSignedForAnotherMailbox() {
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS);
        MailboxTestNetwork.Peer stranger = network.peer();
        MailboxAuthorisation own = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.WATCH, stranger.identity(),
                holder.peerId(), MailboxKey.of(Mailbox.keyFor(owner.peerId())), new byte[0], network.clock.instant());

        MailboxResponse answer = join(stranger.client().exchange(holder.peerId(), List.of(new MailboxRequest.Watch(1, own))))
                .getFirst();

        assertThat(answer.status()).isEqualTo(MailboxStatus.WRONG_MAILBOX);
        assertThat(holder.metrics().watchers()).isZero();
    }

    @Test
    void shouldDropAWatcherThatDoesNotReadItsNotices() {
        // A dropped watcher that does not read its last answer is reset after the request timeout.
        MailboxTestNetwork.Holder holder = holder(MailboxConfig.DEFAULTS.withWatchers(4, 16, 100, 2)
                .withRequestTimeout(Duration.ofMillis(300)));
        MailboxTestNetwork.Peer ownerPeer = network.peer(owner, MailboxConfig.DEFAULTS);
        MailboxAuthorisation authorisation = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.WATCH, owner,
                holder.peerId(), MailboxKey.of(Mailbox.keyFor(owner.peerId())), new byte[0], network.clock.instant());
        Stream stream = join(ownerPeer.overlay().host().newStream(holder.peerId(), MailboxProtocol.ID));
        stream.setReceiver(new StreamReceiver() {
            @Override
            public void onData(Stream s, ByteBuf data) {
                s.pauseReading(); // takes the first bytes, then never reads again
            }
        });
        join(stream.write(MailboxCodec.frame(ByteBufAllocator.DEFAULT,
                MailboxCodec.encode(new MailboxRequest.Watch(1, authorisation)))));
        await().atMost(MailboxTestNetwork.WAIT).until(() -> holder.metrics().watchers() == 1);

        MailboxTestNetwork.Peer sender = network.peer();
        ErasureParameters wide = new ErasureParameters(16, 16); // 32 notices of about 1.3 KiB per envelope
        for (int e = 0; e < 200 && holder.metrics().watchersDropped() == 0; e++) {
            TestEnvelope envelope = TestEnvelope.to(owner.peerId(), START, EXPIRES, 64, wide);
            List<EnvelopeShard> shards = new ArrayList<>();
            for (int i = 0; i < envelope.total(); i++) shards.add(envelope.wire(i));
            join(sender.client().handover(holder.peerId(), shards));
        }

        assertThat(holder.metrics().watchersDropped()).isEqualTo(1);
        await().atMost(MailboxTestNetwork.WAIT).until(() -> holder.metrics().watchers() == 0);
        await().atMost(MailboxTestNetwork.WAIT).until(() -> stream.closeFuture().isDone());
    }
}
