package org.myelin.server.client.presence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.presence.PresenceRepository;
import org.myelin.server.testing.MutableClock;
import org.myelin.storage.testing.TestDatabases;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Presence timeouts computed at read time, against a clock the test moves. */
class LocalPresenceIT {

    private static Database database;
    private final MutableClock clock = new MutableClock();
    private final List<String> woken = new ArrayList<>();
    private LocalPresence presence;
    private static int users;
    private String alice;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @BeforeEach
    void fresh() {
        presence = new LocalPresence(new PresenceRepository(database.dataSource()), clock, "hs.test",
                (user, position) -> woken.add(user));
        alice = "@alice" + (++users) + ":hs.test";
    }

    @Test
    void anOnlineUserGoesIdleAfterFiveMinutesWhileSyncing() {
        try (PresenceService.Syncing s = presence.syncing(alice, PresenceState.ONLINE)) {
            assertEquals(PresenceState.ONLINE, presence.get(alice).presence());
            assertEquals(Boolean.TRUE, presence.get(alice).currentlyActive());
            clock.advance(61_000);
            assertEquals(Boolean.FALSE, presence.get(alice).currentlyActive());
            clock.advance(LocalPresence.IDLE_AFTER_MS);
            PresenceStatus idle = presence.get(alice);
            assertEquals(PresenceState.UNAVAILABLE, idle.presence());
            assertNull(idle.currentlyActive());
            assertEquals(61_000 + LocalPresence.IDLE_AFTER_MS, idle.lastActiveAgo());
            presence.bumpActive(alice);
            assertEquals(PresenceState.ONLINE, presence.get(alice).presence(), "activity brings an idle user back");
        }
    }

    @Test
    void aUserWhoStopsSyncingGoesOfflineAfterThirtySeconds() {
        presence.set(alice, PresenceState.ONLINE, "here");
        clock.advance(LocalPresence.OFFLINE_AFTER_MS - 1);
        assertEquals(PresenceState.ONLINE, presence.get(alice).presence());
        clock.advance(2);
        PresenceStatus gone = presence.get(alice);
        assertEquals(PresenceState.OFFLINE, gone.presence());
        assertNull(gone.statusMsg());
        presence.setFromSync(alice, PresenceState.ONLINE);
        PresenceStatus back = presence.get(alice);
        assertEquals(PresenceState.ONLINE, back.presence(), "a sync brings an offline user online");
        assertEquals("here", back.statusMsg(), "and keeps the status message");
    }

    @Test
    void aLongPollKeepsTheUserOnlineAndItsEndIsNotActivity() {
        long position;
        try (PresenceService.Syncing s = presence.syncing(alice, PresenceState.ONLINE)) {
            position = presence.position();
            clock.advance(4 * 60 * 1000);
            assertEquals(PresenceState.ONLINE, presence.get(alice).presence());
        }
        assertEquals(4 * 60 * 1000L, presence.get(alice).lastActiveAgo());
        assertEquals(position, presence.position(), "the end of a sync is no change");
        clock.advance(LocalPresence.OFFLINE_AFTER_MS + 1);
        assertEquals(PresenceState.OFFLINE, presence.get(alice).presence());
    }

    @Test
    void syncingWithSetPresenceOfflineChangesNothingAndUnavailableMarksIdle() {
        presence.setFromSync(alice, PresenceState.OFFLINE);
        assertEquals(PresenceStatus.UNKNOWN, presence.get(alice));
        presence.setFromSync(alice, PresenceState.UNAVAILABLE);
        assertEquals(PresenceState.UNAVAILABLE, presence.get(alice).presence());
        long position = presence.position();
        presence.setFromSync(alice, PresenceState.UNAVAILABLE);
        assertEquals(position, presence.position(), "no change, no new position");
    }

    @Test
    void changesWakeReadersAndSurviveARestart() {
        presence.setFromSync(alice, PresenceState.ONLINE);
        presence.set(alice, PresenceState.UNAVAILABLE, "lunch");
        assertTrue(woken.contains(alice));
        LocalPresence restarted = new LocalPresence(new PresenceRepository(database.dataSource()), clock, "hs.test",
                (u, p) -> { });
        assertEquals("lunch", restarted.get(alice).statusMsg());
        assertEquals(PresenceState.UNAVAILABLE, restarted.get(alice).presence());
        assertEquals(1, restarted.since(0, Set.of(alice)).size());
    }

    @Test
    void remoteUsersKeepWhatTheirServerSays() {
        String remote = "@bob:remote.example";
        presence.received(remote, PresenceState.ONLINE, null, 0);
        clock.advance(LocalPresence.IDLE_AFTER_MS + 1);
        assertEquals(PresenceState.ONLINE, presence.get(remote).presence());
        assertFalse(presence.get(remote).currentlyActive());
    }

    @Test
    void aRemoteServersUpdateIsKeptAndWakesSyncs() {
        String remote = "@carol" + users + ":remote.example";
        presence.received(remote, PresenceState.UNAVAILABLE, "away", 120_000);
        PresenceStatus status = presence.get(remote);
        assertEquals(PresenceState.UNAVAILABLE, status.presence());
        assertEquals("away", status.statusMsg());
        assertEquals(120_000, status.lastActiveAgo());
        assertEquals(List.of(remote), woken);
        assertEquals(1, presence.since(0, Set.of(remote)).size());
    }

    @Test
    void aRenewalThatChangesNothingIsNoChangeOnTheStream() {
        String remote = "@dave" + users + ":remote.example";
        presence.received(remote, PresenceState.ONLINE, "here", 0);
        long position = presence.position();
        clock.advance(10 * 60_000);
        presence.received(remote, PresenceState.ONLINE, "here", 5 * 60_000);
        assertEquals(position, presence.position(), "no new position");
        assertEquals(List.of(remote), woken, "no second wake-up");
        presence.received(remote, PresenceState.ONLINE, "back soon", 5 * 60_000);
        assertTrue(presence.position() > position, "a new status message is a change");
    }

    @Test
    void aRemoteUserNotRenewedForThirtyMinutesIsOffline() {
        String remote = "@erin" + users + ":remote.example";
        presence.received(remote, PresenceState.ONLINE, "here", 0);
        clock.advance(LocalPresence.REMOTE_TIMEOUT_MS - 1);
        assertEquals(PresenceState.ONLINE, presence.get(remote).presence());
        clock.advance(2);
        assertEquals(PresenceState.OFFLINE, presence.get(remote).presence(), "its server went quiet");
        assertNull(presence.get(remote).statusMsg());
        presence.received(remote, PresenceState.ONLINE, "here", 0);
        assertEquals(PresenceState.ONLINE, presence.get(remote).presence(), "renewed after the timeout");
    }

    @Test
    void onlyRemoteUsersComeFromOtherServers() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> presence.received(alice, PresenceState.ONLINE, null, 0));
    }
}
