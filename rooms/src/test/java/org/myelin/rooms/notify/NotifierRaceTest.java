package org.myelin.rooms.notify;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A reader registered for a key hears every signal of that key after its registration, even
 * while other readers of the same key come and go. (The set of a key's waiters used to be taken
 * from the map and added to outside of it: a reader closing the key's last other waiter removed
 * the set between the two, and the new waiter went into a set no signal reached, asleep until
 * its /sync timed out: a 16-second delivery in the client benchmark.)
 */
class NotifierRaceTest {

    @Test
    void aRegisteredReaderIsNeverMissedWhileOthersComeAndGo() throws Exception {
        assertNoneMissed(false);
    }

    /** The same with named readers (a user's syncs), which keep their registration between requests. */
    @Test
    void aNamedReaderIsNeverMissedWhileOthersComeAndGo() throws Exception {
        assertNoneMissed(true);
    }

    private static void assertNoneMissed(boolean named) throws Exception {
        Notifier notifier = new Notifier();
        int threads = 8;
        int rounds = 20_000;
        AtomicInteger missed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    List<String> keys = List.of("!room", "@user" + (i % 3));
                    try (Notifier.Waiter waiter = named ? notifier.register("@user" + (i % 3), keys)
                            : notifier.register(keys)) {
                        notifier.signal("!room");
                        if (!waiter.isSignalled()) {
                            missed.incrementAndGet();
                        }
                    }
                }
            });
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(0, missed.get(), "registered readers that a signal of their key did not reach");
    }
}
