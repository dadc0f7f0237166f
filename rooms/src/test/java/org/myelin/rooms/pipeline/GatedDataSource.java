package org.myelin.rooms.pipeline;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;

/**
 * A data source whose connections can be held back: while the gate is closed, {@link #getConnection}
 * waits. Lets a test see what happens before anything commits, without depending on timing.
 */
final class GatedDataSource extends ForwardingDataSource {

    private volatile CountDownLatch gate = new CountDownLatch(0);

    GatedDataSource(DataSource delegate) {
        super(delegate);
    }

    void close() {
        gate = new CountDownLatch(1);
    }

    void open() {
        gate.countDown();
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the gate was closed", e);
        }
        return target.getConnection();
    }
}
