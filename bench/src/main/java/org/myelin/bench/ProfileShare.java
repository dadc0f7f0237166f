package org.myelin.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * The share of a process's CPU samples and allocated bytes that a set of packages owns, from a
 * JFR recording: each execution or allocation sample belongs to the first frame from the top
 * that is not the JDK's (a {@code HashMap.get} called by metrics code is metrics'), so that a
 * handler that merely calls on to the rest of the request ({@code ctx.next()}) does not own what
 * runs below it. A share of the samples is a share of the process's Java CPU time.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar org.myelin.bench.ProfileShare <file.jfr>
 * [owner regex]}; the default regex names the metrics code (Micrometer, Prometheus, Vert.x's and
 * Hikari's Micrometer bindings, {@code org.myelin.server.metrics}).
 */
public final class ProfileShare {

    static final String METRICS = "^(io\\.micrometer|io\\.vertx\\.micrometer|io\\.prometheus|com\\.zaxxer\\.hikari\\.metrics"
            + "|org\\.myelin\\.server\\.metrics|org\\.HdrHistogram)\\.";
    private static final Pattern JDK = Pattern.compile("^(java|javax|jdk|sun|com\\.sun)\\.");

    private ProfileShare() {
    }

    public static void main(String[] args) throws Exception {
        Pattern owner = Pattern.compile(args.length > 1 ? args[1] : METRICS);
        long samples = 0;
        long ownedSamples = 0;
        double bytes = 0;
        double ownedBytes = 0;
        Map<String, Long> byMethod = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            boolean execution = type.equals("jdk.ExecutionSample");
            if (!execution && !type.equals("jdk.ObjectAllocationSample")) {
                continue;
            }
            String method = ownerOf(e);
            if (method == null) {
                continue;
            }
            boolean owned = owner.matcher(method).find();
            if (execution) {
                samples++;
                if (owned) {
                    ownedSamples++;
                    byMethod.merge(method, 1L, Long::sum);
                }
            } else {
                double weight = e.getLong("weight");
                bytes += weight;
                if (owned) {
                    ownedBytes += weight;
                }
            }
        }
        System.out.printf("%s: %d of %d CPU samples (%.2f %%) and %.1f of %.1f MB allocated (%.2f %%) owned by %s%n",
                args[0], ownedSamples, samples, 100.0 * ownedSamples / Math.max(1, samples), ownedBytes / 1e6,
                bytes / 1e6, 100.0 * ownedBytes / Math.max(1, bytes), owner.pattern());
        byMethod.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
                .forEach(m -> System.out.printf("  %5d %s%n", m.getValue(), m.getKey()));
    }

    /** The first non-JDK frame's {@code class.method}, from the top of the sample's stack. */
    private static String ownerOf(RecordedEvent e) {
        if (e.getStackTrace() == null) {
            return null;
        }
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        String first = null;
        for (RecordedFrame f : frames) {
            if (!f.isJavaFrame()) {
                continue;
            }
            String name = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            if (first == null) {
                first = name;
            }
            if (!JDK.matcher(name).find()) {
                return name;
            }
        }
        return first;
    }
}
