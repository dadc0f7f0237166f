package org.myelin.storage.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.testing.TestDatabases;

class UrlPreviewRepositoryIT {

    private static Database database;
    private static UrlPreviewRepository previews;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        previews = new UrlPreviewRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void aRequestsTimePicksTheAnswerOfItsTimeWhileValid() {
        String url = "https://example.org/" + "long/".repeat(1_000); // longer than an index entry may be
        previews.store(url, 1_000, 2_000, "{\"og:title\":\"first\"}");
        previews.store(url, 5_000, 6_000, "{\"og:title\":\"second\"}");
        previews.store(url, 5_000, 6_000, "{\"og:title\":\"again\"}"); // the same moment: the first kept

        assertEquals(Optional.of("{\"og:title\":\"first\"}"), previews.find(url, 1_500));
        assertEquals(Optional.of("{\"og:title\":\"second\"}"), previews.find(url, 5_500));
        assertEquals(Optional.of("{\"og:title\":\"first\"}"), previews.find(url, 500), "none before: the first after");
        assertEquals(Optional.empty(), previews.find(url, 3_000), "the answer of that time has expired");
        assertEquals(Optional.empty(), previews.find(url, 6_000));
        assertEquals(Optional.empty(), previews.find("https://example.org/other", 1_500));

        assertEquals(1, previews.deleteExpired(2_500));
        assertEquals(Optional.of("{\"og:title\":\"second\"}"), previews.find(url, 500));
    }
}
