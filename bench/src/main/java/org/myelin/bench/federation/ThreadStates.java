package org.myelin.bench.federation;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one platform thread of this JVM spends its time on, sampled every few milliseconds from
 * its stack: waiting for work (parked, polling a queue), waiting for PostgreSQL (reading a socket)
 * or running. For a single writer thread such as Myelin's {@code event-persister}: a thread that
 * is almost never waiting for work is the bottleneck of what it serves.
 */
final class ThreadStates implements AutoCloseable {

    private final String threadName;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private final Thread sampler;

    ThreadStates(String threadName) {
        this.threadName = threadName;
        this.sampler = Thread.ofPlatform().daemon().name("sample-" + threadName).start(this::run);
    }

    private void run() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        while (running) {
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 12)) {
                if (info != null && info.getThreadName().equals(threadName)) {
                    counts.computeIfAbsent(classify(info), k -> new LongAdder()).increment();
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String classify(ThreadInfo info) {
        StackTraceElement[] stack = info.getStackTrace();
        if (stack.length == 0) {
            return "unknown";
        }
        for (StackTraceElement frame : stack) {
            String where = frame.getClassName() + "." + frame.getMethodName();
            if (where.contains("LinkedBlockingQueue.poll") || where.contains("LinkedBlockingQueue.take")) {
                return "waiting for work";
            }
            if (where.startsWith("sun.nio.ch.") && (where.contains("read") || where.contains("Read"))
                    || where.startsWith("java.net.SocketInputStream") || where.contains("NioSocketImpl.read")) {
                return "waiting for PostgreSQL (socket read)";
            }
        }
        return "running";
    }

    /** Share of samples per activity, e.g. {@code {running=31%, waiting for PostgreSQL=60%, …}}. */
    String shares() {
        long total = counts.values().stream().mapToLong(LongAdder::sum).sum();
        Map<String, String> shares = new TreeMap<>();
        counts.forEach((k, v) -> shares.put(k, String.format("%.0f%%", 100.0 * v.sum() / Math.max(1, total))));
        return shares + " of " + total + " samples";
    }

    @Override
    public void close() {
        running = false;
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
