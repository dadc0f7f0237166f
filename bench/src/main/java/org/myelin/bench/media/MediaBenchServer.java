package org.myelin.bench.media;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.myelin.server.testing.TestHomeserver;
import org.slf4j.LoggerFactory;

/**
 * The Myelin the media benchmarks measure: a {@link TestHomeserver} in this JVM (real HTTP on
 * loopback, its own database in the embedded PostgreSQL, which runs as its own processes),
 * with {@code media.max_upload_size} of {@code maxUploadBytes}, and what they share.
 */
final class MediaBenchServer {

    private static final Pattern CONTENT_URI = Pattern.compile("\"content_uri\"\\s*:\\s*\"mxc://([^/\"]+)/([^\"]+)\"");

    private MediaBenchServer() {
    }

    static TestHomeserver boot(long maxUploadBytes) {
        return TestHomeserver.builder()
                .configure(c -> c.withMedia(c.media().withMaxUploadSize(maxUploadBytes)))
                .start();
    }

    /**
     * Myelin's own log and its access log at {@code level}: the in-process server would otherwise
     * log every request, at a cost in CPU the figures would carry.
     */
    static void logLevel(String level) {
        ((Logger) LoggerFactory.getLogger("org.myelin")).setLevel(Level.toLevel(level));
        ((Logger) LoggerFactory.getLogger("org.myelin.access")).setLevel(Level.toLevel(level));
    }

    /** {@code /_matrix/client/v1/media/download/{server}/{mediaId}} of an upload's answer. */
    static String downloadPath(String uploadAnswer) {
        Matcher m = CONTENT_URI.matcher(uploadAnswer);
        if (!m.find()) {
            throw new IllegalStateException("no content_uri in the upload's answer: " + uploadAnswer);
        }
        return "/_matrix/client/v1/media/download/" + m.group(1) + "/" + m.group(2);
    }

    /** Where the media store keeps content of this SHA-256 (its layout: {@code sha256/ab/cd/abcd…}). */
    static Path storedFile(TestHomeserver hs, byte[] sha256) {
        String hex = HexFormat.of().formatHex(sha256);
        return storeRoot(hs).resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
    }

    static Path storeRoot(TestHomeserver hs) {
        return hs.dataDir().resolve("media").resolve("sha256");
    }

    static double median(Collection<Double> samples) {
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static double min(Collection<Double> samples) {
        return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(Collection<Double> samples) {
        return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Bytes of a pseudo-random pattern, different for each seed (so that uploads are distinct content). */
    static byte[] pattern(int size, long seed) {
        byte[] bytes = new byte[size];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }

    static void check(boolean condition, String message) throws IOException {
        if (!condition) {
            throw new IOException(message);
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
