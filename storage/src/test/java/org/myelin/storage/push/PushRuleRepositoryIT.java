package org.myelin.storage.push;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.push.PushRuleRepository.DefaultChange;
import org.myelin.storage.push.PushRuleRepository.Placement;
import org.myelin.storage.push.PushRuleRepository.PutResult;
import org.myelin.storage.push.PushRuleRepository.StoredRule;
import org.myelin.storage.testing.TestDatabases;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PushRuleRepositoryIT {

    private static Database database;
    private static PushRuleRepository repo;

    @BeforeAll
    static void open() {
        database = TestDatabases.freshDatabase();
        repo = new PushRuleRepository(database.dataSource());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static StoredRule content(String id, String pattern) {
        return new StoredRule("content", id, true, null, pattern, "[\"notify\"]");
    }

    private static List<String> order(String user, String kind) {
        return repo.rules(user).stream().filter(r -> r.kind().equals(kind)).map(StoredRule::ruleId).toList();
    }

    @Test
    void newRulesGoFirstAndBeforeAfterPlaceThem() {
        String u = "@order:x";
        assertEquals(PutResult.CREATED, repo.put(u, content("a", "a"), Placement.DEFAULT));
        assertEquals(PutResult.CREATED, repo.put(u, content("b", "b"), Placement.DEFAULT));
        assertEquals(List.of("b", "a"), order(u, "content"));
        repo.put(u, content("c", "c"), new Placement(null, "b"));
        assertEquals(List.of("b", "c", "a"), order(u, "content"));
        repo.put(u, content("d", "d"), new Placement("b", null));
        assertEquals(List.of("d", "b", "c", "a"), order(u, "content"));
        repo.put(u, content("e", "e"), new Placement("a", "d")); // before wins
        assertEquals(List.of("d", "b", "c", "e", "a"), order(u, "content"));
        // an update stays where it is unless placed
        assertEquals(PutResult.UPDATED, repo.put(u, content("c", "cc"), Placement.DEFAULT));
        assertEquals(List.of("d", "b", "c", "e", "a"), order(u, "content"));
        repo.put(u, content("d", "d"), new Placement(null, "a"));
        assertEquals(List.of("b", "c", "e", "a", "d"), order(u, "content"));
        assertEquals("cc", repo.rules(u).stream().filter(r -> r.ruleId().equals("c")).findFirst().orElseThrow().pattern());
    }

    @Test
    void anUnknownAnchorChangesNothing() {
        String u = "@anchor:x";
        repo.put(u, content("a", "a"), Placement.DEFAULT);
        long before = repo.changedAt(u).orElseThrow();
        assertEquals(PutResult.ANCHOR_NOT_FOUND, repo.put(u, content("b", "b"), new Placement("nope", null)));
        assertEquals(List.of("a"), order(u, "content"));
        assertEquals(before, repo.changedAt(u).orElseThrow());
    }

    @Test
    void enableActionsAndDeleteKeepOthersAndMoveTheStream() {
        String u = "@edit:x";
        repo.put(u, new StoredRule("override", "o", true, "[]", null, "[]"), Placement.DEFAULT);
        long p0 = repo.changedAt(u).orElseThrow();
        assertTrue(repo.setEnabled(u, "override", "o", false));
        assertTrue(repo.setActions(u, "override", "o", "[\"notify\"]"));
        StoredRule o = repo.rules(u).getFirst();
        assertFalse(o.enabled());
        assertEquals("[\"notify\"]", o.actionsJson());
        repo.put(u, new StoredRule("override", "o", true, "[{\"kind\": \"x\"}]", null, "[]"), Placement.DEFAULT);
        assertFalse(repo.rules(u).getFirst().enabled(), "replacing a rule keeps its enabled flag");
        assertTrue(repo.changedAt(u).orElseThrow() > p0);
        assertFalse(repo.setEnabled(u, "override", "missing", true));
        assertTrue(repo.delete(u, "override", "o"));
        assertFalse(repo.delete(u, "override", "o"));
        assertTrue(repo.rules(u).isEmpty());
        assertTrue(repo.position() >= repo.changedAt(u).orElseThrow());
    }

    @Test
    void defaultChangesMerge() {
        String u = "@defaults:x";
        repo.changeDefault(u, "override", ".m.rule.master", true, null);
        repo.changeDefault(u, "override", ".m.rule.master", null, "[\"notify\"]");
        assertEquals(List.of(new DefaultChange("override", ".m.rule.master", true, "[\"notify\"]")), repo.defaultChanges(u));
    }

    @Test
    void concurrentInsertsAllLand() throws Exception {
        String u = "@many:x";
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<PutResult>> puts = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "r" + i;
                puts.add(pool.submit(() -> repo.put(u, content(id, id), Placement.DEFAULT)));
            }
            for (Future<PutResult> f : puts) {
                assertEquals(PutResult.CREATED, f.get());
            }
        }
        assertEquals(20, order(u, "content").stream().distinct().count());
    }
}
