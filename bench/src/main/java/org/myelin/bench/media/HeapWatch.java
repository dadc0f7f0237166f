package org.myelin.bench.media;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's heap while something runs, two ways: the used heap sampled every {@code sampleMs}
 * ({@code MemoryMXBean}), and each collection's notification, which gives the heap just before it
 * (the true peak, garbage included, which sampling can miss) and just after it (what was still
 * reachable: the live set, the figure that says whether bodies are held). Also the direct memory
 * at its largest, sampled: Netty reads from sockets into pooled direct memory, off the heap, which
 * it counts itself (the JDK's buffer pools do not see it).
 */
public final class HeapWatch implements AutoCloseable {

    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final AtomicLong peakSampled = new AtomicLong();
    private final AtomicLong peakBeforeGc = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final AtomicLong peakDirect = new AtomicLong();
    private final AtomicInteger collections = new AtomicInteger();
    private final NotificationListener listener = this::onNotification;
    private final Thread sampler;
    private volatile boolean running = true;

    private HeapWatch(long sampleMs) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
        }
        sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(() -> {
            while (running) {
                peakSampled.accumulateAndGet(usedHeap(), Math::max);
                peakDirect.accumulateAndGet(directBytes(), Math::max);
                try {
                    Thread.sleep(sampleMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    public static HeapWatch start(long sampleMs) {
        return new HeapWatch(sampleMs);
    }

    /** The used heap now. */
    public static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The used heap after full collections: what is reachable. */
    public static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return usedHeap();
    }

    /**
     * Direct memory in use: the JDK's direct and mapped buffers, and what Netty allocated without
     * them (its own counter; -1, counted as 0, when Netty allocates through the JDK's buffers).
     */
    static long directBytes() {
        long jdk = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return jdk + Math.max(0, io.netty.util.internal.PlatformDependent.usedDirectMemory());
    }

    public long peakSampled() {
        return peakSampled.get();
    }

    public long peakBeforeGc() {
        return peakBeforeGc.get();
    }

    public long peakAfterGc() {
        return peakAfterGc.get();
    }

    long peakDirect() {
        return peakDirect.get();
    }

    public int collections() {
        return collections.get();
    }

    private void onNotification(Notification n, Object handback) {
        if (!running || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
        collections.incrementAndGet();
        peakBeforeGc.accumulateAndGet(heap(info.getMemoryUsageBeforeGc()), Math::max);
        peakAfterGc.accumulateAndGet(heap(info.getMemoryUsageAfterGc()), Math::max);
    }

    private long heap(Map<String, MemoryUsage> pools) {
        return pools.entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                .mapToLong(e -> e.getValue().getUsed()).sum();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.interrupt();
        sampler.join();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            try {
                ((NotificationEmitter) gc).removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // not added: nothing to remove
            }
        }
    }
}
