package org.myelin.storage.streams;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.accountdata.AccountDataRepository;
import org.myelin.storage.filters.FilterRepository;
import org.myelin.storage.receipts.ReceiptRepository;
import org.myelin.storage.testing.TestDatabases;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stores behind the sync streams, on a real PostgreSQL. */
class StreamStoresIT {

    static Database db;
    static AccountDataRepository accountData;
    static ReceiptRepository receipts;
    static StreamCounters counters;

    @BeforeAll
    static void open() {
        db = TestDatabases.freshDatabase();
        accountData = new AccountDataRepository(db.dataSource());
        receipts = new ReceiptRepository(db.dataSource());
        counters = new StreamCounters(db.dataSource());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void concurrentWritersGetDistinctIncreasingPositions() throws Exception {
        long before = counters.current().get(StreamKind.ACCOUNT_DATA);
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 40; i++) {
                String type = "t" + i;
                writes.add(CompletableFuture.supplyAsync(() -> accountData.put("@a:x", null, type, "{}"), threads));
            }
        }
        Set<Long> positions = new HashSet<>();
        for (CompletableFuture<Long> w : writes) {
            long p = w.join();
            assertTrue(p > before);
            positions.add(p);
        }
        assertEquals(40, positions.size());
        assertEquals(before + 40, counters.current().get(StreamKind.ACCOUNT_DATA));
        assertEquals(40, accountData.changed("@a:x", before, before + 40).size());
        assertEquals(0, accountData.changed("@a:x", before + 40, Long.MAX_VALUE).size());
    }

    @Test
    void concurrentTagChangesLoseNothing() {
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 20; i++) {
                String tag = "u.tag" + i;
                writes.add(CompletableFuture.supplyAsync(
                        () -> accountData.putTag("@t:x", "!r:x", tag, "{\"order\": 0.5}"), threads));
            }
        }
        writes.forEach(CompletableFuture::join);
        String content = accountData.get("@t:x", "!r:x", "m.tag").orElseThrow();
        for (int i = 0; i < 20; i++) {
            assertTrue(content.contains("\"u.tag" + i + "\""), content);
        }
        accountData.removeTag("@t:x", "!r:x", "u.tag3");
        assertTrue(!accountData.get("@t:x", "!r:x", "m.tag").orElseThrow().contains("\"u.tag3\""));
        accountData.removeTag("@t:x", "!other:x", "u.none");
        assertEquals("{\"tags\": {}}", accountData.get("@t:x", "!other:x", "m.tag").orElseThrow());
    }

    @Test
    void receiptsOnlyMoveForward() {
        var first = receipts.put(new ReceiptRepository.NewReceipt("!r:x", "m.read", "@u:x", null, "$b", 20L, 1));
        assertTrue(first.isPresent());
        assertTrue(receipts.put(new ReceiptRepository.NewReceipt("!r:x", "m.read", "@u:x", null, "$a", 10L, 2)).isEmpty());
        assertTrue(receipts.put(new ReceiptRepository.NewReceipt("!r:x", "m.read", "@u:x", null, "$b", 20L, 3)).isEmpty());
        assertTrue(receipts.put(new ReceiptRepository.NewReceipt("!r:x", "m.read", "@u:x", "main", "$a", 10L, 4))
                .isPresent(), "another thread is another receipt");
        var later = receipts.put(new ReceiptRepository.NewReceipt("!r:x", "m.read", "@u:x", null, "$c", 30L, 5));
        assertTrue(later.getAsLong() > first.getAsLong());
        assertEquals(30, receipts.readUpTo("!r:x", "@u:x", List.of("m.read", "m.read.private")));
        List<ReceiptRepository.Receipt> changed = receipts.changed(List.of("!r:x"), first.getAsLong(), Long.MAX_VALUE);
        assertEquals(2, changed.size());
        assertEquals("$c", changed.getLast().eventId());
    }

    @Test
    void filtersKeepOneIdPerDefinition() {
        FilterRepository filters = new FilterRepository(db.dataSource());
        String id = filters.create("@f:x", "{\"room\": {}}");
        assertEquals(id, filters.create("@f:x", "{\"room\": {}}"));
        assertEquals("{\"room\": {}}", filters.get("@f:x", id).orElseThrow());
        assertTrue(filters.get("@other:x", id).isEmpty());
        assertTrue(filters.get("@f:x", "{").isEmpty());
    }
}
