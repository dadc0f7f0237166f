package org.myelin.storage.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.protocol.id.MediaId;
import org.myelin.protocol.id.UserId;
import org.myelin.storage.Database;
import org.myelin.storage.testing.TestDatabases;

class MediaRepositoryIT {

    private static final UserId ALICE = UserId.parse("@alice:example.org");
    private static final UserId BOB = UserId.parse("@bob:example.org");
    private static final Sha256 HASH = new Sha256("ab".repeat(32));

    private static Database database;
    private static MediaRepository media;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        media = new MediaRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static LocalMedia.Upload upload(String name, long ts) {
        return new LocalMedia.Upload("image/png", name, new StoredContent(HASH, 42), ts);
    }

    @Test
    void anUploadIsFoundWithItsContent() {
        MediaId id = MediaId.parse("uploadedOnce");
        media.insertUploaded(id, ALICE, true, upload("cat.png", 1_000));

        LocalMedia found = media.find(id).orElseThrow();
        assertEquals(ALICE, found.uploader());
        assertEquals(1_000, found.createdTs());
        assertTrue(found.authenticated());
        assertNull(found.quarantinedBy());
        assertEquals(upload("cat.png", 1_000), found.upload());
        assertTrue(media.find(MediaId.parse("neverMade")).isEmpty());
    }

    @Test
    void aPendingIdIsFilledOnceAndOnlyByItsCreator() {
        MediaId id = MediaId.parse("pendingOne");
        assertInstanceOf(MediaRepository.Creation.Created.class,
                media.createPending(id, ALICE, 5_000, 0, 5, false));
        LocalMedia pending = media.find(id).orElseThrow();
        assertFalse(pending.uploaded());
        assertFalse(pending.authenticated());

        assertFalse(media.fillPending(id, BOB, upload(null, 6_000)), "not Bob's");
        assertTrue(media.fillPending(id, ALICE, upload(null, 6_000)));
        assertFalse(media.fillPending(id, ALICE, upload("again", 7_000)), "filled already");

        LocalMedia filled = media.find(id).orElseThrow();
        assertEquals(5_000, filled.createdTs());
        assertEquals(upload(null, 6_000), filled.upload());
    }

    @Test
    void pendingIdsAreLimitedPerUserAndExpiredOnesDoNotCount() {
        UserId carol = UserId.parse("@carol:example.org");
        media.createPending(MediaId.parse("carolOld"), carol, 100, 0, 2, true);
        media.createPending(MediaId.parse("carol1"), carol, 1_000, 0, 2, true);

        // At 2_000 with ids expiring after 1_500 ms, carolOld (made at 100) no longer counts.
        assertInstanceOf(MediaRepository.Creation.Created.class,
                media.createPending(MediaId.parse("carol2"), carol, 2_000, 500, 2, true));
        MediaRepository.Creation third = media.createPending(MediaId.parse("carol3"), carol, 2_100, 600, 2, true);

        assertEquals(new MediaRepository.Creation.LimitReached(1_000), third);
        assertTrue(media.find(MediaId.parse("carol3")).isEmpty());
        assertInstanceOf(MediaRepository.Creation.Created.class,
                media.createPending(MediaId.parse("dave1"), UserId.parse("@dave:example.org"), 2_100, 600, 2, true),
                "another user's limit is their own");
    }

    @Test
    void contentIsReferencedByEachRowThatNamesIt() {
        Sha256 other = new Sha256("cd".repeat(32));
        assertEquals(0, media.references(other));
        StoredContent content = new StoredContent(other, 3);
        media.insertUploaded(MediaId.parse("refA"), ALICE, true, new LocalMedia.Upload("text/plain", null, content, 1));
        media.insertUploaded(MediaId.parse("refB"), BOB, true, new LocalMedia.Upload("text/plain", null, content, 2));
        assertEquals(2, media.references(other));
    }
}
