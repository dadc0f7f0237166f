package org.myelin.server.client.sync;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LazyMembersCacheTest {

    private final LazyMembersCache cache = new LazyMembersCache();

    @Test
    void remembersEachMembershipEventPerDeviceAndRoom() {
        cache.remember("@a:hs", "DEV", "!r:hs", Map.of("@b:hs", "$join-b"));
        cache.remember("@a:hs", "DEV", "!r:hs", Map.of("@c:hs", "$join-c"));
        assertTrue(cache.wasSent("@a:hs", "DEV", "!r:hs", "@b:hs", "$join-b"), "earlier members are kept");
        assertTrue(cache.wasSent("@a:hs", "DEV", "!r:hs", "@c:hs", "$join-c"));
        assertFalse(cache.wasSent("@a:hs", "DEV", "!r:hs", "@b:hs", "$leave-b"), "a newer membership is not redundant");
        assertFalse(cache.wasSent("@a:hs", "OTHER", "!r:hs", "@b:hs", "$join-b"), "another device was not sent it");
        assertFalse(cache.wasSent("@a:hs", "DEV", "!s:hs", "@b:hs", "$join-b"), "nor another room");
    }

    @Test
    void resetForgetsTheRoomForThatDeviceOnly() {
        cache.remember("@a:hs", "DEV", "!r:hs", Map.of("@b:hs", "$join-b"));
        cache.remember("@a:hs", "DEV2", "!r:hs", Map.of("@b:hs", "$join-b"));
        cache.reset("@a:hs", "DEV", "!r:hs");
        assertFalse(cache.wasSent("@a:hs", "DEV", "!r:hs", "@b:hs", "$join-b"));
        assertTrue(cache.wasSent("@a:hs", "DEV2", "!r:hs", "@b:hs", "$join-b"));
    }
}
