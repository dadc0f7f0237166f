package org.myelin.rooms.notify;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a reader hears: the signals of its keys after it registered, and no others. */
class NotifierTest {

    private final Notifier notifier = new Notifier();

    @Test
    void aReaderHearsItsKeysSignalledAfterItRegistered() throws Exception {
        try (Notifier.Waiter waiter = notifier.register(List.of("!a", "@u"))) {
            notifier.signal("!b");
            assertFalse(waiter.isSignalled(), "another key");
            notifier.signal("!a");
            assertTrue(waiter.isSignalled());
            assertTrue(waiter.await(0));
        }
        try (Notifier.Waiter later = notifier.register(List.of("!a"))) {
            assertFalse(later.isSignalled(), "a signal before the registration is not heard");
            assertFalse(later.await(1));
        }
    }

    @Test
    void aNamedReadersNextRequestHearsOnlyWhatCameAfterIt() {
        List<String> keys = List.of("@u", "!a", "!b");
        try (Notifier.Waiter first = notifier.register("@u", keys)) {
            notifier.signal("!b");
            assertTrue(first.isSignalled());
        }
        notifier.signal("!a"); // between two requests: the next one checks for news itself
        try (Notifier.Waiter next = notifier.register("@u", keys)) {
            assertFalse(next.isSignalled());
            notifier.signal("!a");
            assertTrue(next.isSignalled());
        }
    }

    @Test
    void aNamedReadersKeysChangeWithItsMemberships() {
        try (Notifier.Waiter before = notifier.register("@u", List.of("@u", "!a"))) {
            assertFalse(before.isSignalled());
        }
        try (Notifier.Waiter after = notifier.register("@u", List.of("@u", "!b"))) {
            notifier.signal("!a");
            assertFalse(after.isSignalled(), "a room the user left");
            notifier.signal("!b");
            assertTrue(after.isSignalled(), "a room the user joined");
        }
    }

    /**
     * Two requests of one reader that read its keys on either side of a join: the one with the
     * room must hear it, whichever registered last.
     */
    @Test
    void whileARequestWaitsAnotherOneWithOlderKeysDropsNone() {
        try (Notifier.Waiter newer = notifier.register("@u", List.of("@u", "!a", "!joined"));
             Notifier.Waiter older = notifier.register("@u", List.of("@u", "!a"))) {
            notifier.signal("!joined");
            assertTrue(newer.isSignalled());
            assertTrue(older.isSignalled());
        }
    }

    @Test
    void namedReadersAreSeparate() {
        try (Notifier.Waiter u = notifier.register("@u", List.of("@u", "!a"));
             Notifier.Waiter v = notifier.register("@v", List.of("@v", "!b"))) {
            notifier.signal("!b");
            assertFalse(u.isSignalled());
            assertTrue(v.isSignalled());
        }
    }
}
