package org.myelin.storage.appservice;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import javax.sql.DataSource;
import org.myelin.storage.Transactions;

/**
 * The transactions of each application service (application service API, "Pushing events"):
 * how far through the timeline the service has been served, and the transactions made for it
 * and not yet acknowledged, kept until the service answers so that a restart resends them.
 */
public final class AppServiceTxnRepository {

    /** A transaction made and not yet acknowledged: its id and the JSON body to PUT. */
    public record PendingTxn(long txnId, byte[] body) {
    }

    private final DataSource dataSource;

    public AppServiceTxnRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * How far through the timeline {@code appserviceId} has been served; a service seen for the
     * first time starts at {@code initial} (the events before it registered are not its business).
     */
    public long position(String appserviceId, long initial) {
        return Transactions.inTransaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO appservice_state (appservice_id, "
                    + "stream_ordering) VALUES (?, ?) ON CONFLICT (appservice_id) DO NOTHING")) {
                ps.setString(1, appserviceId);
                ps.setLong(2, initial);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT stream_ordering FROM appservice_state WHERE appservice_id = ?")) {
                ps.setString(1, appserviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /**
     * Moves the service's position to {@code position} and, if {@code body} is not null, makes
     * it the service's next transaction, in one database transaction: an event is either in a
     * stored transaction or still ahead of the position. Returns the new transaction's id, or 0.
     */
    public long advance(String appserviceId, long position, byte[] body) {
        return Transactions.inTransaction(dataSource, c -> {
            long txnId = 0;
            if (body != null) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE appservice_state SET last_txn_id = "
                        + "last_txn_id + 1 WHERE appservice_id = ? RETURNING last_txn_id")) {
                    ps.setString(1, appserviceId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        txnId = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO appservice_txns (appservice_id, txn_id, body) VALUES (?, ?, ?)")) {
                    ps.setString(1, appserviceId);
                    ps.setLong(2, txnId);
                    ps.setBytes(3, body);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE appservice_state SET stream_ordering = "
                    + "GREATEST(stream_ordering, ?) WHERE appservice_id = ?")) {
                ps.setLong(1, position);
                ps.setString(2, appserviceId);
                ps.executeUpdate();
            }
            return txnId;
        });
    }

    /** The service's oldest unacknowledged transaction. */
    public Optional<PendingTxn> oldest(String appserviceId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT txn_id, body FROM appservice_txns "
                    + "WHERE appservice_id = ? ORDER BY txn_id LIMIT 1")) {
                ps.setString(1, appserviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new PendingTxn(rs.getLong(1), rs.getBytes(2)))
                            : Optional.<PendingTxn>empty();
                }
            }
        });
    }

    /** Forgets a transaction the service acknowledged. */
    public void acknowledged(String appserviceId, long txnId) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM appservice_txns WHERE appservice_id = ? AND txn_id = ?")) {
                ps.setString(1, appserviceId);
                ps.setLong(2, txnId);
                return ps.executeUpdate();
            }
        });
    }
}
