package org.myelin.server.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Counts the SQL statements a homeserver executes: wraps its connection pool (see
 * {@link TestHomeserver.Builder#instrument}) so that every {@code execute…} of a statement is
 * recorded with its SQL. A count of queries is a deterministic measure of the work a request
 * does, unlike its timing.
 *
 * <pre>{@code
 * QueryCounter queries = new QueryCounter();
 * TestHomeserver hs = TestHomeserver.builder().instrument(queries).start();
 * List<String> made = queries.during(() -> client.sync(alice, since, ""));
 * }</pre>
 *
 * <p>It counts every statement of the process, background work included; measure a request when
 * nothing else is running.
 */
public final class QueryCounter implements UnaryOperator<DataSource> {

    private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final List<String> executed = new ArrayList<>();

    @Override
    public DataSource apply(DataSource dataSource) {
        return proxy(DataSource.class, dataSource, (target, method, args) -> {
            Object result = method.invoke(target, args);
            return method.getName().equals("getConnection") ? connection((Connection) result) : result;
        });
    }

    /** The SQL of the statements executed while {@code action} ran, in order. */
    public List<String> during(Runnable action) {
        int from = count();
        action.run();
        return since(from);
    }

    /** As {@link #during(Runnable)}, also handing back what {@code action} returned. */
    public <T> Counted<T> counting(Supplier<T> action) {
        int from = count();
        T result = action.get();
        return new Counted<>(result, since(from));
    }

    /** A result and the statements its computation executed. */
    public record Counted<T>(T result, List<String> queries) {
    }

    /** How many statements were executed so far. */
    public synchronized int count() {
        return executed.size();
    }

    /** The SQL of the statements executed after the first {@code from}. */
    public synchronized List<String> since(int from) {
        return List.copyOf(executed.subList(from, executed.size()));
    }

    private synchronized void record(String sql) {
        executed.add(sql == null ? "?" : sql.replaceAll("\\s+", " ").trim());
    }

    private Connection connection(Connection connection) {
        return proxy(Connection.class, connection, (target, method, args) -> {
            Object result = method.invoke(target, args);
            return switch (method.getName()) {
                case "prepareStatement" -> statement(PreparedStatement.class, (Statement) result, (String) args[0]);
                case "prepareCall" -> statement(CallableStatement.class, (Statement) result, (String) args[0]);
                case "createStatement" -> statement(Statement.class, (Statement) result, null);
                default -> result;
            };
        });
    }

    private <S extends Statement> S statement(Class<S> type, Statement statement, String preparedSql) {
        return proxy(type, type.cast(statement), (target, method, args) -> {
            if (EXECUTIONS.contains(method.getName())) {
                record(args != null && args.length > 0 && args[0] instanceof String sql ? sql : preparedSql);
            }
            return method.invoke(target, args);
        });
    }

    private interface Call {
        Object invoke(Object target, Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Call call) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                return call.invoke(target, method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(QueryCounter.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
