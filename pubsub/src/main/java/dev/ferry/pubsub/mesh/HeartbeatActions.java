package dev.ferry.pubsub.mesh;

import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.message.Rpc.IHave;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@link GossipSubState#heartbeat} asks the router to do. The router coalesces
 * everything for one peer into one RPC, piggybacking gossip on the GRAFTs and PRUNEs.
 *
 * @param grafts GRAFTs to send, the peers already in the meshes
 * @param prunes PRUNEs to send, the peers already out of the meshes and backed off
 * @param gossip IHAVEs to send, per peer
 * @param brokenPromises peers that advertised a message, were asked for it, and did not deliver
 *     it within the IWANT followup time, with how many such promises each broke: add that many
 *     P₇ behaviour penalties
 */
public record HeartbeatActions(
        List<Graft> grafts, List<Prune> prunes, Map<PeerId, List<IHave>> gossip, Map<PeerId, Integer> brokenPromises) {
    public HeartbeatActions {
        grafts = List.copyOf(grafts);
        prunes = List.copyOf(prunes);
        Map<PeerId, List<IHave>> copy = new LinkedHashMap<>();
        gossip.forEach((peer, ihaves) -> copy.put(peer, List.copyOf(ihaves)));
        gossip = Collections.unmodifiableMap(copy);
        brokenPromises = Collections.unmodifiableMap(new LinkedHashMap<>(brokenPromises));
    }
}
