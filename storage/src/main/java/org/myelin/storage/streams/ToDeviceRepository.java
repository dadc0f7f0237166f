package org.myelin.storage.streams;

import org.myelin.storage.StorageException;
import org.myelin.storage.Transactions;
import org.myelin.storage.federation.OutboundQueueRepository;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The to-device stream (client-server API, "Send-to-Device messaging"): messages wait per device,
 * in position order, until the device syncs with a token past them; a device's messages go with
 * the device (a foreign key). A batch of messages (one client request, or one
 * {@code m.direct_to_device} EDU received) is stored in one transaction, with what makes it
 * idempotent and with the EDUs it sends to other servers, so that it is stored and sent once,
 * whole, or not at all.
 */
public final class ToDeviceRepository {

    /** The EDU type of to-device messages between servers. */
    public static final String DIRECT_TO_DEVICE = "m.direct_to_device";

    /** A message for one device; {@code content} is JSON text. */
    public record Message(String userId, String deviceId, String sender, String type, String content, long position) {
    }

    /**
     * A message for a user of this server.
     *
     * @param deviceId the device, or null for every device of the user
     * @param content  the message content as JSON text
     */
    public record LocalRecipient(String userId, String deviceId, String content) {
        public LocalRecipient {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(content, "content");
        }
    }

    /** An {@code m.direct_to_device} EDU for another server: its content as canonical JSON. */
    public record RemoteEdu(String destination, byte[] content) {
    }

    /** Where a batch comes from: what makes storing it again a no-op. */
    public sealed interface Origin {
        /** {@code PUT /sendToDevice/{eventType}/{txnId}} from one device. */
        record ClientTransaction(String userId, String deviceId, String txnId) implements Origin {
        }

        /** An {@code m.direct_to_device} EDU, by its origin server and {@code message_id}. */
        record FederationMessage(String origin, String messageId) implements Origin {
        }
    }

    /**
     * Messages of one type from one sender.
     *
     * @param maxDeliveries the most devices the local messages may reach once every "all devices"
     *                      recipient is expanded; past it nothing is stored ({@link Outcome#TOO_MANY})
     */
    public record Batch(Origin origin, String sender, String type, List<LocalRecipient> local,
                        List<RemoteEdu> remote, int maxDeliveries, long nowMillis) {
        public Batch {
            local = List.copyOf(local);
            remote = List.copyOf(remote);
        }
    }

    /** What storing a batch did. */
    public enum Outcome { STORED, DUPLICATE, TOO_MANY }

    /**
     * @param delivered    how many device inboxes got a message
     * @param lastPosition the highest to-device position taken, 0 if none
     */
    public record Stored(Outcome outcome, int delivered, long lastPosition) {
        static final Stored DUPLICATE = new Stored(Outcome.DUPLICATE, 0, 0);
        static final Stored TOO_MANY = new Stored(Outcome.TOO_MANY, 0, 0);
    }

    /** Rolls back a batch whose recipients were too many. */
    private static final class TooMany extends RuntimeException {
        TooMany() {
            super(null, null, false, false);
        }
    }

    private record Delivery(String userId, String deviceId, String content) {
    }

    private final DataSource dataSource;

    public ToDeviceRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores a batch in one transaction: records its origin (a batch seen before stores nothing),
     * puts the local messages in the inboxes of the devices that exist (locked against deletion
     * until commit), each with a position of its own, and queues the remote EDUs.
     */
    public Stored store(Batch batch) {
        try {
            return Transactions.inTransaction(dataSource, c -> {
                if (!firstTime(c, batch.origin(), batch.nowMillis())) {
                    return Stored.DUPLICATE;
                }
                List<Delivery> deliveries = devices(c, batch.local(), batch.maxDeliveries());
                long last = deliver(c, batch, deliveries);
                for (RemoteEdu edu : batch.remote()) {
                    OutboundQueueRepository.enqueueEdu(c, edu.destination(), DIRECT_TO_DEVICE, edu.content(),
                            batch.nowMillis());
                }
                return new Stored(Outcome.STORED, deliveries.size(), last);
            });
        } catch (TooMany e) {
            return Stored.TOO_MANY;
        }
    }

    private static boolean firstTime(Connection c, Origin origin, long now) throws SQLException {
        String sql;
        String[] key;
        switch (origin) {
            case null -> {
                return true;
            }
            case Origin.ClientTransaction t -> {
                sql = "INSERT INTO to_device_client_transactions (user_id, device_id, txn_id, created_ts) "
                        + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
                key = new String[] {t.userId(), t.deviceId(), t.txnId()};
            }
            case Origin.FederationMessage m -> {
                sql = "INSERT INTO to_device_federation_inbox (origin, message_id, received_ts) "
                        + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
                key = new String[] {m.origin(), m.messageId()};
            }
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < key.length; i++) {
                ps.setString(i + 1, key[i]);
            }
            ps.setLong(key.length + 1, now);
            return ps.executeUpdate() == 1;
        }
    }

    /** The existing devices the recipients name, in recipient order, locked until commit. */
    private static List<Delivery> devices(Connection c, List<LocalRecipient> recipients, int max) throws SQLException {
        List<Delivery> found = new ArrayList<>();
        if (recipients.isEmpty()) {
            return found;
        }
        String[] users = new String[recipients.size()];
        String[] devices = new String[recipients.size()];
        for (int i = 0; i < users.length; i++) {
            users[i] = recipients.get(i).userId();
            devices[i] = recipients.get(i).deviceId();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT r.ord, d.device_id
                FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS r(user_id, device_id, ord)
                JOIN devices d ON d.user_id = r.user_id AND (r.device_id IS NULL OR d.device_id = r.device_id)
                ORDER BY r.ord, d.device_id
                LIMIT ?
                FOR KEY SHARE OF d""")) {
            ps.setArray(1, c.createArrayOf("text", users));
            ps.setArray(2, c.createArrayOf("text", devices));
            ps.setInt(3, max + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    LocalRecipient r = recipients.get((int) rs.getLong(1) - 1);
                    found.add(new Delivery(r.userId(), rs.getString(2), r.content()));
                }
            }
        }
        if (found.size() > max) {
            throw new TooMany();
        }
        return found;
    }

    private static long deliver(Connection c, Batch batch, List<Delivery> deliveries) throws SQLException {
        if (deliveries.isEmpty()) {
            return 0;
        }
        long last = StreamCounters.reserve(c, StreamKind.TO_DEVICE, deliveries.size());
        long position = last - deliveries.size();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO to_device_messages (stream_position, user_id, device_id, sender, type, content)
                VALUES (?, ?, ?, ?, ?, ?)""")) {
            for (Delivery d : deliveries) {
                ps.setLong(1, ++position);
                ps.setString(2, d.userId());
                ps.setString(3, d.deviceId());
                ps.setString(4, batch.sender());
                ps.setString(5, batch.type());
                ps.setString(6, d.content());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return last;
    }

    /** Up to {@code limit} messages for a device with positions in ({@code after}, {@code upTo}], in order. */
    public List<Message> pending(String userId, String deviceId, long after, long upTo, int limit) {
        List<Message> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT user_id, device_id, sender, type, content, stream_position FROM to_device_messages
                WHERE user_id = ? AND device_id = ? AND stream_position > ? AND stream_position <= ?
                ORDER BY stream_position LIMIT ?""")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setLong(3, after);
            ps.setLong(4, upTo);
            ps.setInt(5, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Message(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getLong(6)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /** Deletes the device's messages at or below {@code upTo}: the device has acknowledged them. */
    public int acknowledge(String userId, String deviceId, long upTo) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM to_device_messages WHERE user_id = ? AND device_id = ? AND stream_position <= ?")) {
            ps.setString(1, userId);
            ps.setString(2, deviceId);
            ps.setLong(3, upTo);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Forgets client transaction ids recorded before {@code clientTxnsBefore} and received
     * message ids before {@code federationBefore} (epoch milliseconds): a retry comes within
     * minutes, not days.
     */
    public void prune(long clientTxnsBefore, long federationBefore) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement txns = c.prepareStatement(
                    "DELETE FROM to_device_client_transactions WHERE created_ts < ?");
                 PreparedStatement inbox = c.prepareStatement(
                         "DELETE FROM to_device_federation_inbox WHERE received_ts < ?")) {
                txns.setLong(1, clientTxnsBefore);
                txns.executeUpdate();
                inbox.setLong(1, federationBefore);
                inbox.executeUpdate();
            }
            return null;
        });
    }
}
