package org.myelin.storage.profiles;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.testing.TestDatabases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileRepositoryIT {

    private static Database database;
    private static ProfileRepository repo;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        repo = new ProfileRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void aProfileIsCreatedOnceAndChangedFieldByField() throws Exception {
        assertTrue(repo.createIfMissing("@a:x", "a"));
        assertFalse(repo.createIfMissing("@a:x", "other"));
        assertEquals("a", repo.find("@a:x").orElseThrow().displayname());
        assertTrue(repo.setDisplayname("@a:x", "Alice"));
        assertTrue(repo.setAvatarUrl("@a:x", "mxc://x/y"));
        assertTrue(repo.setExtraField("@a:x", "m.tz", "\"Europe/London\""));
        assertTrue(repo.setExtraField("@a:x", "org.example.n", "{\"deep\": [1, null]}"));
        ProfileRepository.StoredProfile p = repo.find("@a:x").orElseThrow();
        assertEquals("Alice", p.displayname());
        assertEquals("mxc://x/y", p.avatarUrl());
        var extra = new ObjectMapper().readTree(p.extraFieldsJson());
        assertEquals("Europe/London", extra.get("m.tz").asText());
        assertTrue(extra.get("org.example.n").get("deep").get(1).isNull());
        assertTrue(repo.removeExtraField("@a:x", "m.tz"));
        assertTrue(repo.setDisplayname("@a:x", null));
        p = repo.find("@a:x").orElseThrow();
        assertNull(p.displayname());
        assertFalse(new ObjectMapper().readTree(p.extraFieldsJson()).has("m.tz"));
    }

    @Test
    void unknownUsersHaveNoProfileToChange() {
        assertTrue(repo.find("@nobody:x").isEmpty());
        assertFalse(repo.setDisplayname("@nobody:x", "n"));
        assertFalse(repo.setExtraField("@nobody:x", "m.tz", "\"UTC\""));
    }
}
