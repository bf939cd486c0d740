package dev.ferry.cmd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A child process's output read line by line, and lines written to its input: what the tests that drive processes share. */
public final class ProcessLines {
    private ProcessLines() {}

    /**
     * Starts a daemon thread named {@code threadName} that adds each line of {@code in} to {@code
     * lines} (a thread-safe list), keeping at most {@code maxLines}, until the stream ends with the
     * process; returns the thread, for joining once the process ended.
     */
    public static Thread drain(InputStream in, List<String> lines, int maxLines, String threadName) {
        return Thread.ofPlatform().daemon().name(threadName).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (lines.size() < maxLines) lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone: its output ends here
            }
        });
    }

    /** Writes {@code line} and a newline to {@code process}'s stdin and flushes; lines from several threads do not interleave. */
    public static void writeLine(Process process, String line) throws IOException {
        OutputStream stdin = process.getOutputStream();
        synchronized (stdin) {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }
    }
}
