package org.myelin.bench.federation;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's output: context lines start with {@code #}; each figure is one line starting
 * with {@code RESULT}, repeated together at the end.
 */
public final class Report {

    private final List<String> results = new ArrayList<>();

    public void info(String format, Object... args) {
        System.out.println("# " + String.format(format, args));
        System.out.flush();
    }

    public void result(String name, String value, String note) {
        String line = String.format("RESULT %-34s %s%s", name, value, note.isEmpty() ? "" : "  " + note);
        results.add(line);
        System.out.println(line);
        System.out.flush();
    }

    /** A latency figure against its targets. */
    void latency(String name, Percentiles p, int expected, double p50Target, double p99Target) {
        boolean met = p.count() == expected && p.p50() <= p50Target && p.p99() <= p99Target;
        result(name, p + " of " + expected, String.format("[target p50<=%.0f ms p99<=%.0f ms: %s]", p50Target,
                p99Target, met ? "met" : "MISSED"));
    }

    public void summary() {
        System.out.println("# ---- summary ----");
        results.forEach(System.out::println);
    }
}
