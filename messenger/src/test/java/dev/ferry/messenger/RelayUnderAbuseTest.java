package dev.ferry.messenger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.messenger.mailbox.MailboxClient;
import dev.ferry.messenger.mailbox.MailboxConfig;
import dev.ferry.messenger.mailbox.MailboxProtocol;
import dev.ferry.messenger.mailbox.MailboxReply;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.ping.PingService;
import dev.ferry.store.StoreLimits;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A holder under abusive load over real TCP, Noise and yamux, at a scale CI runs (issue 8; {@code
 * bench/run relay-load} is the same at machine scale): peers flooding STOREs from many streams,
 * a peer past its quota, oversized shards and garbage on mailbox streams. Throughout, a prober's
 * pings and an honest sender's stores must be answered, the abuse refused with a status, and the
 * holder must still serve afterwards.
 */
class RelayUnderAbuseTest extends WholeNetworkTest {
    /** 256 KiB per sending peer and 64 KiB per shard, so that the abusers meet the limits within seconds. */
    private static final StoreLimits SMALL = new StoreLimits(64 << 20, 16 << 20, 256 << 10, 64 << 10);
    /** Rounds of a ping and an honest store made while the abuse is at full strength. */
    private static final int ROUNDS = 10;
    /**
     * Abusive peers flooding STOREs, and mailbox clients per peer: two streams of eight queued
     * requests each, so a flooder has up to 768 requests waiting, past the holder's per-peer 64.
     */
    private static final int FLOODERS = 4;
    private static final int CLIENTS_PER_FLOODER = 48;
    private static final String PEER_BUSY = "flood busy: this peer has too many requests in progress here";
    /** A liveness bound, not a speed: an answer later than this on a busy 2-core machine means a starved holder. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

    private final EventLoopGroup loops = NettyHost.newEventLoopGroup(1);
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final List<NettyHost> hosts = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stopLoad() {
        for (NettyHost h : hosts) h.close();
        scheduler.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10_000);
    }

    private NettyHost host(FerryNode relay) {
        NettyHost h = new NettyHost(HostConfig.builder(IdentityKeyPair.generate(MessengerTestNetwork.RANDOM)).sharedEventLoops(loops).build());
        h.peerStore().addAddresses(relay.peerId(), relay.addresses());
        hosts.add(h);
        return h;
    }

    private MailboxClient client(NettyHost host) {
        return new MailboxClient(host, Clock.systemUTC(), scheduler, MailboxConfig.DEFAULTS);
    }

    private static MessengerTestNetwork.CodedEnvelope envelope(int payloadBytes) {
        return MessengerTestNetwork.strangerEnvelope(payloadBytes);
    }

    @Test
    void underFloodsQuotaAbuseOversizedShardsAndGarbageTheHolderAnswersPingsAndHonestStoresAndRefusesTheAbuseWithAStatus()
            throws Exception {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig().withStoreLimits(SMALL));
        FerryNode relay = network.start(1).getFirst();
        PeerId relayId = relay.peerId();

        NettyHost prober = host(relay);
        PingService ping = new PingService(prober);
        Connection probe = prober.dial(relayId).get(30, TimeUnit.SECONDS);
        MailboxClient honest = client(host(relay));

        AtomicBoolean abusing = new AtomicBoolean(true);
        Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
        List<Thread> abusers = new ArrayList<>();
        // Store floods: every mailbox client of a flooder keeps its streams full, from one identity per flooder.
        for (int f = 0; f < FLOODERS; f++) {
            NettyHost flooder = host(relay);
            List<MailboxClient> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS_PER_FLOODER; c++) clients.add(client(flooder));
            abusers.add(Thread.ofPlatform().start(() -> {
                Semaphore inFlight = new Semaphore(512);
                int next = 0;
                while (abusing.get()) {
                    MessengerTestNetwork.CodedEnvelope s = envelope(2048);
                    for (int i = 0; i < s.shards().totalShards() && abusing.get(); i++) {
                        inFlight.acquireUninterruptibly();
                        clients.get(next++ % clients.size()).store(relayId, s.header(), i, s.shards().shard(i))
                                .whenComplete((reply, e) -> {
                                    inFlight.release();
                                    if (reply != null && !reply.status().isOk()) {
                                        String key = "flood " + reply.status().label()
                                                + (reply.status() == MailboxStatus.BUSY ? ": " + reply.detail() : "");
                                        refusals.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
                                    }
                                });
                    }
                }
            }));
        }
        // Oversized: true shards of a 300 KiB envelope, about 75 KiB each, over the holder's 64 KiB shard limit.
        MailboxClient oversized = client(host(relay));
        abusers.add(Thread.ofPlatform().start(() -> {
            while (abusing.get()) {
                MessengerTestNetwork.CodedEnvelope s = envelope(300 << 10);
                MailboxReply reply = oversized.store(relayId, s.header(), 0, s.shards().shard(0)).orTimeout(30, TimeUnit.SECONDS).join();
                refusals.computeIfAbsent("oversized " + reply.status().label(), k -> new AtomicLong()).incrementAndGet();
            }
        }));
        // Garbage on mailbox streams, each from a fresh identity: the holder closes or resets each stream.
        AtomicLong garbageClosed = new AtomicLong();
        AtomicLong garbageLeftOpen = new AtomicLong();
        abusers.add(Thread.ofPlatform().start(() -> {
            while (abusing.get()) {
                NettyHost junk = host(relay);
                Stream s = junk.newStream(relayId, MailboxProtocol.ID).orTimeout(10, TimeUnit.SECONDS).join();
                byte[] bytes = new byte[512];
                MessengerTestNetwork.RANDOM.nextBytes(bytes);
                bytes[0] = (byte) 0xff; // a length prefix far over the protocol's message limit
                bytes[1] = (byte) 0xff;
                bytes[2] = (byte) 0xff;
                bytes[3] = (byte) 0x7f;
                s.write(Unpooled.wrappedBuffer(bytes));
                try {
                    s.closeFuture().get(10, TimeUnit.SECONDS);
                    garbageClosed.incrementAndGet();
                } catch (java.util.concurrent.TimeoutException e) {
                    garbageLeftOpen.incrementAndGet();
                } catch (Exception e) {
                    garbageClosed.incrementAndGet(); // reset: closed with a cause
                }
                junk.close();
            }
        }));

        // Once every flooder has met its quota (the flood goes on, refused), pings and honest stores must be answered.
        MessengerTestNetwork.await("the flooders meet their quota",
                () -> refusals.getOrDefault("flood peer_quota", new AtomicLong()).get() > FLOODERS * 100L, refusals::toString);
        List<Long> pingMillis = new ArrayList<>();
        List<MailboxStatus> honestStatuses = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<Duration> rtt = ping.ping(probe, 1).get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            pingMillis.add(rtt.getFirst().toMillis());
            MessengerTestNetwork.CodedEnvelope s = envelope(1024);
            honestStatuses.add(honest.store(relayId, s.header(), 0, s.shards().shard(0)).get(ANSWER_WITHIN.toMillis(),
                    TimeUnit.MILLISECONDS).status());
            TimeUnit.MILLISECONDS.sleep(100);
        }
        abusing.set(false);
        for (Thread t : abusers) t.join(30_000);

        assertThat(honestStatuses).as("honest stores under abuse").isNotEmpty().containsOnly(MailboxStatus.OK);
        assertThat(pingMillis).as("pings answered under abuse").hasSize(ROUNDS);
        assertThat(refusals).as("the flood is refused by its quota").containsKey("flood peer_quota");
        assertThat(refusals).as("each flooder's requests past its share of the holder's queue are refused").containsKey(PEER_BUSY);
        assertThat(refusals).as("oversized shards are refused").containsKey("oversized too_large");
        assertThat(garbageClosed.get()).as("garbage streams closed by the holder").isPositive();
        assertThat(garbageLeftOpen.get()).as("garbage streams the holder left open").isZero();
        // Still serving afterwards.
        assertThat(ping.ping(probe, 1).get(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS)).hasSize(1);
        MessengerTestNetwork.CodedEnvelope after = envelope(1024);
        assertThat(honest.store(relayId, after.header(), 0, after.shards().shard(0)).get(ANSWER_WITHIN.toMillis(),
                TimeUnit.MILLISECONDS).status()).isEqualTo(MailboxStatus.OK);
    }
}
