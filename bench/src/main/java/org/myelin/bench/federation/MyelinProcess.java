package org.myelin.bench.federation;

import org.myelin.bench.ProcStats;

import org.myelin.server.testing.TestHomeserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Myelin started as a separate process, as an operator starts it: {@code java … -cp
 * server/target/classes:server/target/lib/* org.myelin.server.Main} (so {@code ./myelin build}
 * first), configured by {@code MYELIN_*} variables: server name {@code 127.0.0.1:<federation
 * port>}, its own data directory (embedded PostgreSQL, durable), self-signed certificates
 * accepted and loopback allowed for outbound federation. The JVM options are {@code ./myelin
 * run}'s with the given {@code -Xmx}, plus a GC log, and a JFR recording if asked.
 */
final class MyelinProcess implements AutoCloseable {

    /**
     * Heap figures from the GC log, in MB: the most used just before a collection (what the heap
     * had to hold), the most left after a full collection (the live set, at most), the most
     * committed, and what the collections freed in all (about what was allocated).
     */
    record Heap(double peakUsedBeforeGc, double peakAfterFullGc, double peakCommitted, int collections,
                double pauseMs, int fullCollections, double freedMb) {
        @Override
        public String toString() {
            return String.format("peak used %.0f MB (before a GC), live set at most %.0f MB (after a full GC), peak "
                    + "committed %.0f MB; %d GCs (%d full), %.0f ms paused, %.1f GB freed", peakUsedBeforeGc,
                    peakAfterFullGc, peakCommitted, collections, fullCollections, pauseMs, freedMb / 1024);
        }
    }

    private static final Pattern GC_LINE = Pattern.compile(
            "GC\\(\\d+\\) (Pause \\S+).* (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\) ([0-9.]+)ms");

    final Path dir;
    final String serverName;
    final int clientPort;
    final Path gcLog;
    final Path jfrFile;
    final Path log;
    private final Process process;

    private MyelinProcess(Path dir, String serverName, int clientPort, Path gcLog, Path jfrFile, Path log,
                          Process process) {
        this.dir = dir;
        this.serverName = serverName;
        this.clientPort = clientPort;
        this.gcLog = gcLog;
        this.jfrFile = jfrFile;
        this.log = log;
        this.process = process;
    }

    /** Starts a Myelin from {@code home} (the repository root) with {@code -Xmx<heap>}, recorded by JFR if asked. */
    static MyelinProcess start(Path home, String heap, boolean jfr) throws IOException {
        Path classes = home.resolve("server/target/classes");
        Path lib = home.resolve("server/target/lib");
        if (!Files.isDirectory(classes) || !Files.isDirectory(lib)) {
            throw new IllegalStateException("no " + classes + " or " + lib + ": run ./myelin build first");
        }
        Path dir = Files.createTempDirectory("myelin-bench-b");
        int clientPort = TestHomeserver.freePort();
        int federationPort = TestHomeserver.freePort();
        String serverName = "127.0.0.1:" + federationPort;
        Path gcLog = dir.resolve("gc.log");
        Path jfrFile = jfr ? dir.resolve("b.jfr") : null;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + home.resolve("config/jvm.options"), "-XX:+UseCompactObjectHeaders", "-Xmx" + heap,
                "-Xlog:gc:file=" + gcLog));
        if (jfr) {
            command.add("-XX:FlightRecorderOptions=stackdepth=256");
            command.add("-XX:StartFlightRecording=name=bench,filename=" + jfrFile + ",settings=profile,dumponexit=true");
        }
        command.addAll(List.of("-cp", classes + ":" + lib + "/*", "org.myelin.server.Main"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("MYELIN_"));
        env.put("MYELIN_SERVER_NAME", serverName);
        env.put("MYELIN_DATA_DIR", dir.resolve("data").toString());
        env.put("MYELIN_CLIENT_PORT", Integer.toString(clientPort));
        env.put("MYELIN_FEDERATION_PORT", Integer.toString(federationPort));
        env.put("MYELIN_FEDERATION_ALLOW_INSECURE_SELF_SIGNED", "true");
        env.put("MYELIN_FEDERATION_OUTBOUND_IP_ALLOWLIST", "127.0.0.0/8");
        Path log = dir.resolve("server.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return new MyelinProcess(dir, serverName, clientPort, gcLog, jfrFile, log, pb.start());
    }

    long pid() {
        return process.pid();
    }

    String clientBase() {
        return "http://127.0.0.1:" + clientPort;
    }

    Path postgresDir() {
        return dir.resolve("data/postgres");
    }

    Path postgresLog() {
        return dir.resolve("data/postgres.log");
    }

    /** Waits until the client listener answers {@code /versions}; fails if the process exits or the time passes. */
    void awaitUp(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        try (ClientApi probe = ClientApi.anonymous(clientBase())) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Myelin B exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    if (probe.call("GET", "/_matrix/client/versions", null, Duration.ofSeconds(2)).status() == 200) {
                        return;
                    }
                } catch (RuntimeException e) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("Myelin B did not start within " + limit + "; see " + log);
    }

    /** The heap figures of the GC log so far. */
    Heap heap() throws IOException {
        double before = 0;
        double afterFull = 0;
        double committed = 0;
        double pause = 0;
        double freed = 0;
        int count = 0;
        int full = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                double usedBefore = mb(m.group(2), m.group(3));
                double usedAfter = mb(m.group(4), m.group(5));
                count++;
                if (m.group(1).contains("Full")) {
                    full++;
                    afterFull = Math.max(afterFull, usedAfter);
                }
                before = Math.max(before, usedBefore);
                committed = Math.max(committed, mb(m.group(6), m.group(7)));
                pause += Double.parseDouble(m.group(8));
                freed += Math.max(0, usedBefore - usedAfter);
            }
        }
        return new Heap(before, afterFull, committed, count, pause, full, freed);
    }

    private static double mb(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }

    /** {@code jcmd <pid> GC.heap_info}: the heap right now, as the JVM reports it (its totals). */
    String heapInfo() {
        String out = jcmd("GC.heap_info");
        return out.lines().filter(l -> l.contains("total")).map(String::trim)
                .reduce((x, y) -> x + " | " + y).orElse(out.trim());
    }

    /** The top of {@code jcmd <pid> GC.class_histogram} (a full GC first): what the live heap holds. */
    List<String> classHistogram(int lines) {
        return jcmd("GC.class_histogram").lines().skip(1).limit(lines + 2L).toList();
    }

    /** The JFR recording so far, written to {@code name} in the process' directory ({@code jcmd JFR.dump}). */
    Path dumpRecording(String name) {
        Path file = dir.resolve(name);
        jcmd("JFR.dump", "name=bench", "filename=" + file);
        return file;
    }

    private String jcmd(String... command) {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid())));
        line.addAll(List.of(command));
        try {
            Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes());
            jcmd.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "jcmd failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Stops the process (SIGTERM: a JFR recording is written on exit) and removes its database. */
    @Override
    public void close() {
        long postmaster = ProcStats.postmasterPid(postgresDir());
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Myelin stops its PostgreSQL on the way out; if it could not, stop that one postmaster.
        if (postmaster > 0) {
            ProcessHandle.of(postmaster)
                    .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(postgresDir().toString()))
                            .orElse(false))
                    .ifPresent(ProcessHandle::destroy);
        }
        try (Stream<Path> files = Files.walk(postgresDir())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a database left in /tmp is no failure of the benchmark
        }
    }
}
