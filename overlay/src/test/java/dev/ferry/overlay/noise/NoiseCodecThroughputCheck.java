package dev.ferry.overlay.noise;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;

/**
 * Not a test: a quick look at what {@link CipherState} sustains for full-size transport frames
 * (65519 plaintext bytes, one 64 KiB frame), encrypting and then decrypting each, on heap buffers
 * (what {@link NoiseTransportCodec} uses) and on direct buffers (staged through a scratch array).
 * Run it with the JDK that runs nodes; ChaCha20-Poly1305 is intrinsified on recent JDKs.
 *
 * <pre>java -cp ... dev.ferry.overlay.noise.NoiseCodecThroughputCheck [seconds per round] [rounds]</pre>
 */
public final class NoiseCodecThroughputCheck {
    private static final int PLAINTEXT = NoiseProtocol.MAX_PLAINTEXT_LENGTH;

    private NoiseCodecThroughputCheck() {}

    public static void main(String[] args) throws AEADBadTagException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.println(System.getProperty("java.vm.name") + " " + Runtime.version());
        for (boolean direct : new boolean[] {false, true}) {
            run(direct, 1); // warm-up: let the JIT and the intrinsics kick in
            double best = 0;
            StringBuilder each = new StringBuilder();
            for (int round = 0; round < rounds; round++) {
                double mibPerSecond = run(direct, seconds);
                best = Math.max(best, mibPerSecond);
                each.append(round == 0 ? "" : ", ").append(Math.round(mibPerSecond));
            }
            System.out.printf("%s buffers: best %.0f MiB/s of plaintext through encrypt+decrypt of %d-byte frames (rounds: %s)%n",
                    direct ? "direct" : "heap", best, PLAINTEXT + NoiseProtocol.TAG_LENGTH, each);
        }
    }

    private static double run(boolean direct, double seconds) throws AEADBadTagException {
        byte[] key = new byte[CipherState.KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        CipherState sender = new CipherState(key);
        CipherState receiver = new CipherState(key);
        ByteBuffer plaintext = allocate(direct, PLAINTEXT);
        ByteBuffer frame = allocate(direct, PLAINTEXT + NoiseProtocol.TAG_LENGTH);
        ByteBuffer decrypted = allocate(direct, PLAINTEXT);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        long frames = 0;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 64; i++) {
                plaintext.clear();
                frame.clear();
                sender.encrypt(plaintext, frame);
                frame.flip();
                decrypted.clear();
                receiver.decrypt(frame, decrypted);
            }
            frames += 64;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return frames * (double) PLAINTEXT / (1 << 20) / elapsed;
    }

    private static ByteBuffer allocate(boolean direct, int capacity) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }
}
