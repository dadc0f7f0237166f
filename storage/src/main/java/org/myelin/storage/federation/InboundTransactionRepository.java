package org.myelin.storage.federation;

import org.myelin.storage.Transactions;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * The answers given to inbound transactions ({@code PUT /_matrix/federation/v1/send/{txnId}}),
 * per origin and transaction id: a retried transaction gets the stored answer.
 */
public final class InboundTransactionRepository {

    private final DataSource dataSource;

    public InboundTransactionRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The answer stored for {@code (origin, txnId)}, as JSON bytes. */
    public Optional<byte[]> response(String origin, String txnId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT response FROM federation_inbound_transactions WHERE origin = ? AND txn_id = ?")) {
                ps.setString(1, origin);
                ps.setString(2, txnId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    /** Stores the answer; the first one stored for a transaction stays. */
    public void store(String origin, String txnId, byte[] response, long now) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO federation_inbound_transactions "
                    + "(origin, txn_id, response, received_ts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, origin);
                ps.setString(2, txnId);
                ps.setBytes(3, response);
                ps.setLong(4, now);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Forgets answers received before {@code ts}; returns how many. */
    public int deleteOlderThan(long ts) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM federation_inbound_transactions WHERE received_ts < ?")) {
                ps.setLong(1, ts);
                return ps.executeUpdate();
            }
        });
    }
}
