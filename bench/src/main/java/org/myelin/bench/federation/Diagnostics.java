package org.myelin.bench.federation;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a slow phase is doing: JFR hot methods (of this JVM, recorded in-process, or of a Myelin
 * process, from its recording) and, from an embedded PostgreSQL's log, every statement executed
 * during a window, counted per statement text (log_min_duration_statement = 0, switched on and
 * off with ALTER SYSTEM and a reload, no restart).
 */
public final class Diagnostics {

    private static final Pattern EXECUTE = Pattern.compile(
            "LOG:\\s+duration: ([0-9.]+) ms\\s+(?:execute [^:]+|statement): (.*)");

    private Diagnostics() {
    }

    /** A JFR recording of this JVM (settings "profile"). */
    public static Recording startRecording() throws IOException {
        try {
            Recording r = new Recording(Configuration.getConfiguration("profile"));
            r.start();
            return r;
        } catch (java.text.ParseException e) {
            throw new IOException(e);
        }
    }

    /** Stops {@code r}, writes it to a temp file and returns the file. */
    public static Path stop(Recording r, String name) throws IOException {
        Path file = Files.createTempFile(name, ".jfr");
        r.stop();
        r.dump(file);
        r.close();
        return file;
    }

    /** The first {@code lines} lines of {@code jfr view <view> <file>}. */
    public static List<String> jfrView(Path file, String view, int lines) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(), "view",
                    "--width", "180", view, file.toString()).redirectErrorStream(true).start();
            List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .limit(lines).toList();
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return List.of("jfr view failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("interrupted");
        }
    }

    /**
     * Where the CPU went inside Myelin, from the execution samples of a recording: for each method
     * of {@code org.myelin}, the share of samples whose stack holds it (inclusive, so a caller
     * counts its callees' time too) and the share whose innermost Myelin frame it is (self, with
     * the library code it calls). The {@code top} methods by inclusive share, with the samples
     * outside Myelin summarised by the innermost frame's package.
     */
    public static List<String> myelinProfile(Path file, int top) throws IOException {
        Map<String, long[]> methods = new HashMap<>();
        Map<String, Long> outside = new HashMap<>();
        long samples = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                samples++;
                java.util.Set<String> seen = new java.util.HashSet<>();
                boolean self = true;
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                for (RecordedFrame f : frames) {
                    String type = f.getMethod().getType().getName();
                    if (!type.startsWith("org.myelin.") || type.startsWith("org.myelin.bench")) {
                        continue;
                    }
                    String name = type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
                    long[] c = methods.computeIfAbsent(name, k -> new long[2]);
                    if (seen.add(name)) {
                        c[0]++;
                    }
                    if (self) {
                        c[1]++;
                        self = false;
                    }
                }
                if (self && !frames.isEmpty()) {
                    String type = frames.getFirst().getMethod().getType().getName();
                    String pkg = type.contains(".") ? type.substring(0, type.lastIndexOf('.')) : type;
                    outside.merge(pkg, 1L, Long::sum);
                }
            }
        }
        long total = Math.max(1, samples);
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%d execution samples; inclusive %% / self %% (self = innermost Myelin frame)", samples));
        methods.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> m) -> m.getValue()[0])
                .reversed()).limit(top).forEach(m -> lines.add(String.format("%5.1f%% %5.1f%%  %s",
                100.0 * m.getValue()[0] / total, 100.0 * m.getValue()[1] / total, m.getKey())));
        lines.add("samples with no Myelin frame, by innermost package:");
        outside.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(o -> lines.add(String.format("%5.1f%%  %s", 100.0 * o.getValue() / total, o.getKey())));
        return lines;
    }

    /** Logs every statement (true) or only the default (false) on the PostgreSQL at {@code port}. */
    public static void logStatements(int port, boolean on) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres",
                null); Statement s = c.createStatement()) {
            s.execute(on ? "ALTER SYSTEM SET log_min_duration_statement = 0" : "ALTER SYSTEM RESET log_min_duration_statement");
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot change statement logging on port " + port, e);
        }
    }

    /** The size of {@code log} now: where a window of statements starts. */
    public static long size(Path log) {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Statements executed, by normalised text: {count, total µs}; from byte {@code from} of {@code log}. */
    public static Map<String, long[]> statements(Path log, long from) throws IOException {
        Map<String, long[]> counts = new HashMap<>();
        StringBuilder pending = null;
        double pendingMs = 0;
        for (String line : readFrom(log, from)) {
            if (pending != null && line.startsWith("\t")) {
                pending.append(' ').append(line.trim());
                continue;
            }
            if (pending != null) {
                long[] c = counts.computeIfAbsent(normalise(pending.toString()), k -> new long[2]);
                c[0]++;
                c[1] += (long) (pendingMs * 1000);
                pending = null;
            }
            Matcher m = EXECUTE.matcher(line);
            if (m.find()) {
                pending = new StringBuilder(m.group(2));
                pendingMs = Double.parseDouble(m.group(1));
            }
        }
        if (pending != null) {
            long[] c = counts.computeIfAbsent(normalise(pending.toString()), k -> new long[2]);
            c[0]++;
            c[1] += (long) (pendingMs * 1000);
        }
        return counts;
    }

    /** The {@code top} statements by count, one line each: count, total ms, text. */
    public static List<String> top(Map<String, long[]> counts, int top) {
        long total = counts.values().stream().mapToLong(c -> c[0]).sum();
        double totalMs = counts.values().stream().mapToLong(c -> c[1]).sum() / 1000.0;
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%d statements, %.0f ms inside PostgreSQL in all", total, totalMs));
        counts.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0])
                .reversed()).limit(top).forEach(e -> lines.add(String.format("%7d x %8.1f ms  %s", e.getValue()[0],
                e.getValue()[1] / 1000.0, e.getKey())));
        return lines;
    }

    private static String normalise(String sql) {
        String s = sql.replaceAll("\\s+", " ").replaceAll("\\$\\d+(\\s*,\\s*\\$\\d+)+", "\\$n,…");
        return s.length() > 150 ? s.substring(0, 150) + "…" : s;
    }

    private static List<String> readFrom(Path log, long from) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            byte[] bytes = new byte[(int) Math.max(0, length - from)];
            f.seek(Math.min(from, length));
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        }
    }
}
