package org.myelin.rooms.pipeline;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A data source that counts round trips to PostgreSQL (statement executions, a JDBC batch once)
 * and commits: what a regression guard compares, rather than time.
 */
final class CountingDataSource extends ForwardingDataSource {

    private final AtomicLong executions = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();

    CountingDataSource(DataSource target) {
        super(target);
    }

    /** Statement executions so far (executeBatch counts once). */
    long executions() {
        return executions.get();
    }

    /** Explicit commits so far. */
    long commits() {
        return commits.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return counted(target.getConnection());
    }

    private Connection counted(Connection connection) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        commits.incrementAndGet();
                    }
                    Object result = invoke(connection, method, args);
                    if (result instanceof PreparedStatement ps) {
                        return statement(ps, PreparedStatement.class);
                    }
                    if (result instanceof Statement s) {
                        return statement(s, Statement.class);
                    }
                    return result;
                });
    }

    private <T extends Statement> Object statement(T statement, Class<T> type) {
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().startsWith("execute")) {
                executions.incrementAndGet();
            }
            return invoke(statement, method, args);
        });
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
