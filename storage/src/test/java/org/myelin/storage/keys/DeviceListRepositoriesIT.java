package org.myelin.storage.keys;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.federation.OutboundQueueRepository;
import org.myelin.storage.keys.DeviceListOutboundRepository.DeviceUpdate;
import org.myelin.storage.keys.DeviceListOutboundRepository.Published;
import org.myelin.storage.keys.DeviceListOutboundRepository.SentDevice;
import org.myelin.storage.keys.DeviceListOutboundRepository.Snapshot;
import org.myelin.storage.keys.RemoteDeviceListRepository.CachedList;
import org.myelin.storage.keys.RemoteDeviceListRepository.Outcome;
import org.myelin.storage.keys.RemoteDeviceListRepository.RemoteDevice;
import org.myelin.storage.testing.TestDatabases;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What other servers were told of our device lists, and the cache of theirs, on a real PostgreSQL. */
class DeviceListRepositoriesIT {

    static Database db;
    static DeviceListOutboundRepository told;
    static RemoteDeviceListRepository remote;

    @BeforeAll
    static void open() {
        db = TestDatabases.freshDatabase();
        told = new DeviceListOutboundRepository(db.dataSource());
        remote = new RemoteDeviceListRepository(db.dataSource());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void eachChangedDeviceIsOneUpdateChainedToTheLast() {
        String user = "@chain:local";
        SentDevice one = new SentDevice("{\"k\":1}", "phone");
        Published first = told.publish(user, () -> new Snapshot(Map.of("A", one), null, null), p -> List.of(), 0);
        assertEquals(1, first.devices().size());
        DeviceUpdate a = first.devices().getFirst();
        assertNull(a.prevId(), "the user's first update follows none");
        assertFalse(first.signingKeysChanged());

        Published same = told.publish(user, () -> new Snapshot(Map.of("A", one), null, null), p -> List.of(), 0);
        assertTrue(same.devices().isEmpty(), "nothing changed, nothing to tell");

        Published next = told.publish(user, () -> new Snapshot(Map.of("B", one), "{\"m\":1}", null), p -> List.of(), 0);
        assertEquals(List.of("A", "B"), next.devices().stream().map(DeviceUpdate::deviceId).toList());
        assertTrue(next.devices().getFirst().deleted());
        assertEquals(a.streamId(), next.devices().getFirst().prevId());
        assertEquals(next.devices().getFirst().streamId(), next.devices().get(1).prevId());
        assertTrue(next.signingKeysChanged());
        assertEquals(next.devices().get(1).streamId(), told.streamId(user));
        assertEquals(0, told.streamId("@never:local"));
    }

    @Test
    void aChangeMarksItsUserUntilTheEdusTellingItAreQueued() throws Exception {
        String user = "@marked:local";
        try (var c = db.dataSource().getConnection()) {
            DeviceListOutboundRepository.localChange(c, List.of(user));
        }
        assertTrue(told.pendingUsers().contains(user), "a committed change is still to be told");
        SentDevice one = new SentDevice("{\"k\":1}", null);
        told.publish(user, () -> new Snapshot(Map.of("A", one), null, null),
                p -> List.of(new OutboundQueueRepository.QueuedEdu("peer.example", "m.device_list_update",
                        "{}".getBytes())), 0);
        assertFalse(told.pendingUsers().contains(user), "told: the mark is gone");
        assertEquals(List.of("peer.example"), new OutboundQueueRepository(db.dataSource()).destinationsWithPending(),
                "with the EDU queued in the same transaction");
    }

    @Test
    void aChangeCommittedWhileItsUserIsToldStaysMarked() throws Exception {
        String user = "@meanwhile:local";
        try (var c = db.dataSource().getConnection()) {
            DeviceListOutboundRepository.localChange(c, List.of(user));
        }
        told.publish(user, () -> {
            // another device's keys commit after the list was read: the next publication tells them
            try (var c = db.dataSource().getConnection()) {
                DeviceListOutboundRepository.localChange(c, List.of(user));
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
            return new Snapshot(Map.of(), null, null);
        }, p -> List.of(), 0);
        assertTrue(told.pendingUsers().contains(user), "still to be told");
    }

    @Test
    void updatesApplyInOrderAndAGapIsReported() {
        String user = "@gap:remote";
        long[] position = {-1};
        assertEquals(Outcome.NOT_CACHED, remote.apply(user, "D", 1, List.of(), "{}", null, p -> position[0] = p));
        remote.replace(new CachedList(user, 5, List.of(new RemoteDevice("D1", "{\"d\":1}", "one")), null, null), 0);

        assertEquals(Outcome.APPLIED, remote.apply(user, "D2", 6, List.of(5L), "{\"d\":2}", null, p -> position[0] = p));
        assertTrue(position[0] > 0, "a change on the device list stream");
        position[0] = -1;
        assertEquals(Outcome.APPLIED, remote.apply(user, "D2", 6, List.of(5L), "{\"d\":2}", null, p -> position[0] = p));
        assertEquals(-1, position[0], "a repeat changes nothing");
        assertEquals(Outcome.GAP, remote.apply(user, "D3", 9, List.of(8L), "{\"d\":3}", null, p -> { }));
        assertEquals(Outcome.APPLIED, remote.apply(user, "D1", 7, List.of(6L), null, null, p -> { }));

        CachedList cached = remote.cached(List.of(user)).get(user);
        assertEquals(List.of("D2"), cached.devices().stream().map(RemoteDevice::deviceId).toList());
        assertEquals(7, cached.streamId());

        assertTrue(remote.signingKeys(user, "{\"master\":1}", null).isPresent());
        assertEquals("{\"master\":1}", remote.cached(List.of(user)).get(user).masterKey());
        assertTrue(remote.signingKeys("@other:remote", "{}", null).isEmpty(), "only cached users");
        remote.forget(user);
        assertTrue(remote.cached(List.of(user)).isEmpty());
    }

    @Test
    void onlyTheLatestStreamIdsStaySeen() {
        String user = "@many:remote";
        remote.replace(new CachedList(user, 1, List.of(), null, null), 0);
        for (long id = 2; id <= RemoteDeviceListRepository.SEEN_KEPT + 10; id++) {
            assertEquals(Outcome.APPLIED, remote.apply(user, "D", id, List.of(id - 1), "{}", null, p -> { }));
        }
        assertEquals(Outcome.GAP, remote.apply(user, "D", 1000, List.of(2L), "{}", null, p -> { }),
                "an update after one long forgotten is a gap");
        long last = RemoteDeviceListRepository.SEEN_KEPT + 10;
        assertEquals(Outcome.APPLIED, remote.apply(user, "D", last + 1, List.of(last), "{}", null, p -> { }));
    }
}
