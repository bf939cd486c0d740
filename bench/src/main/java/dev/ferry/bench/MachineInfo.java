package dev.ferry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The lines every benchmark starts with: when, on what CPU, which JDK and which Node.js. */
final class MachineInfo {
    private MachineInfo() {}

    /** Three lines: the title with the time, the machine, the Java and Node.js versions. */
    static String describe(String title, String nodeExecutable) {
        return String.format(Locale.ROOT, "%s, %s%n  machine  %s, %d cores; %s %s (%s)%n  Java     %s (%s); Node.js %s",
                title, Instant.now().truncatedTo(ChronoUnit.SECONDS),
                cpuModel(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                System.getProperty("java.version"), System.getProperty("java.vm.name"), nodeVersion(nodeExecutable));
    }

    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return "unknown CPU";
        }
    }

    static String nodeVersion(String nodeExecutable) {
        try {
            Process p = new ProcessBuilder(nodeExecutable, "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? v : "unknown";
        } catch (IOException e) {
            return "not found (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
