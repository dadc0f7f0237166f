package org.myelin.storage.presence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.presence.PresenceRepository.StoredPresence;
import org.myelin.storage.testing.TestDatabases;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PresenceRepositoryIT {

    private static Database database;
    private static PresenceRepository repo;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        repo = new PresenceRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void changesTakeGrowingPositionsAndReadBackSince() {
        long start = repo.position();
        StoredPresence a = repo.save("@a:x", "online", "hi", 10, 11);
        StoredPresence b = repo.save("@b:x", "unavailable", null, 20, 21);
        StoredPresence a2 = repo.save("@a:x", "offline", null, 30, 31);
        assertTrue(a.streamId() > start && b.streamId() > a.streamId() && a2.streamId() > b.streamId());
        assertEquals(a2.streamId(), repo.position());
        assertEquals(a2, repo.find("@a:x").orElseThrow());
        assertEquals(List.of(b, a2), repo.since(start, Set.of("@a:x", "@b:x", "@c:x")));
        assertEquals(List.of(a2), repo.since(b.streamId(), Set.of("@a:x", "@b:x")));
        assertEquals(List.of(), repo.since(start, Set.of("@c:x")));
        assertEquals(List.of(), repo.since(start, Set.of()));
        assertEquals(List.of(b), repo.between(start, b.streamId(), Set.of("@a:x", "@b:x")));
    }
}
