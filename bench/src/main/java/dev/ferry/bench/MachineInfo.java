package dev.ferry.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the benchmarks ran on: the lines every benchmark starts with (when, on what CPU, which JDK
 * and which Node.js), and for the report the machine's memory and OS, the JDK's vendor and the
 * js-libp2p packages locked in interop/js.
 */
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

    /** The JDK: vendor, runtime version and VM, e.g. "Eclipse Adoptium 25.0.3+9-LTS (OpenJDK 64-Bit Server VM)". */
    static String jdk() {
        return System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vm.name") + ")";
    }

    /** Total memory from /proc/meminfo, e.g. "23.4 GiB", or "unknown". */
    static String memory() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:")).findFirst()
                    .map(l -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                    .orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The distribution (os-release's PRETTY_NAME) and the kernel, e.g. "Debian GNU/Linux 13 (trixie), Linux 6.18.44 (amd64)". */
    static String os() {
        String kernel = System.getProperty("os.name") + " " + System.getProperty("os.version") + " (" + System.getProperty("os.arch") + ")";
        try (Stream<String> lines = Files.lines(Path.of("/etc/os-release"))) {
            return lines.filter(l -> l.startsWith("PRETTY_NAME=")).findFirst()
                    .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "") + ", " + kernel).orElse(kernel);
        } catch (IOException | RuntimeException e) {
            return kernel;
        }
    }

    /** The 1-minute load average from /proc/loadavg, or NaN: how busy the shared machine was. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * The js packages interop/js depends on (package.json's dependencies) with the versions its
     * lock file installs, in package.json's order.
     */
    static Map<String, String> jsPackages(Path jsDir) throws BenchmarkException {
        String manifest;
        String lock;
        try {
            manifest = Files.readString(jsDir.resolve("package.json"));
            lock = Files.readString(jsDir.resolve("package-lock.json"));
        } catch (IOException e) {
            throw new BenchmarkException("cannot read the js packages' versions in " + jsDir + ": " + e.getMessage());
        }
        Matcher deps = Pattern.compile("\"dependencies\"\\s*:\\s*\\{([^}]*)}").matcher(manifest);
        if (!deps.find()) throw new BenchmarkException(jsDir.resolve("package.json") + " has no dependencies");
        Map<String, String> versions = new LinkedHashMap<>();
        Matcher name = Pattern.compile("\"([^\"]+)\"\\s*:").matcher(deps.group(1));
        while (name.find()) {
            Matcher locked = Pattern.compile("\"node_modules/" + Pattern.quote(name.group(1)) + "\"\\s*:\\s*\\{\\s*\"version\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(lock);
            if (!locked.find()) throw new BenchmarkException(jsDir.resolve("package-lock.json") + " does not lock " + name.group(1));
            versions.put(name.group(1), locked.group(1));
        }
        return versions;
    }
}
