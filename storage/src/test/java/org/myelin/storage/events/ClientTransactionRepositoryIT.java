package org.myelin.storage.events;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.myelin.storage.Database;
import org.myelin.storage.testing.TestDatabases;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transaction ids of events as a sender's syncs ask for them: each event looked up in the store once. */
class ClientTransactionRepositoryIT {

    static Database db;
    static final AtomicInteger connections = new AtomicInteger();
    static ClientTransactionRepository transactions;

    @BeforeAll
    static void start() {
        db = TestDatabases.freshDatabase();
        DataSource plain = db.dataSource();
        DataSource counted = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        connections.incrementAndGet();
                    }
                    try {
                        return method.invoke(plain, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        transactions = new ClientTransactionRepository(counted);
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    private static ClientTransactionRepository.Key key(String txnId) {
        return new ClientTransactionRepository.Key("@alice:example.org", "PHONE", "!room:example.org", "send", txnId);
    }

    @Test
    void anEventSentWithoutATransactionIsLookedUpOnce() {
        int before = connections.get();
        assertTrue(transactions.originsOf(List.of("$state:example.org")).isEmpty());
        assertTrue(transactions.originsOf(List.of("$state:example.org")).isEmpty());
        assertEquals(1, connections.get() - before, "its absence is remembered");
    }

    @Test
    void aTransactionRecordedAfterTheEventWasLookedUpIsFound() {
        assertTrue(transactions.originsOf(List.of("$late:example.org")).isEmpty());
        transactions.record(key("t1"), "$late:example.org", 1);
        assertEquals("t1", transactions.originsOf(List.of("$late:example.org")).get("$late:example.org").txnId());
    }

    @Test
    void aStoredTransactionIsReadOnceThenKept() {
        ClientTransactionRepository other = new ClientTransactionRepository(db.dataSource());
        other.record(key("t2"), "$sent:example.org", 1);
        int before = connections.get();
        assertEquals("PHONE", transactions.originsOf(List.of("$sent:example.org")).get("$sent:example.org").deviceId());
        assertEquals("t2", transactions.originsOf(List.of("$sent:example.org")).get("$sent:example.org").txnId());
        assertEquals(1, connections.get() - before);
    }
}
