package org.myelin.storage.rooms;

import org.myelin.storage.StorageException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** This server's room aliases (client-server API, "Room aliases"). */
public final class AliasRepository {

    /** An alias, the room it names and the user who made it. */
    public record Alias(String alias, String roomId, String creator) {
    }

    private final DataSource dataSource;

    public AliasRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the alias; false if it exists already. */
    public boolean create(String alias, String roomId, String creator, long nowMillis) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO room_aliases (alias, room_id, creator, created_ts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, alias);
            ps.setString(2, roomId);
            ps.setString(3, creator);
            ps.setLong(4, nowMillis);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    public Optional<Alias> find(String alias) {
        List<Alias> found = query("SELECT alias, room_id, creator FROM room_aliases WHERE alias = ?", alias);
        return found.stream().findFirst();
    }

    /** The aliases of a room, oldest first. */
    public List<Alias> ofRoom(String roomId) {
        return query("SELECT alias, room_id, creator FROM room_aliases WHERE room_id = ? ORDER BY created_ts, alias",
                roomId);
    }

    /** Deletes the alias; false if there was none. */
    public boolean delete(String alias) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM room_aliases WHERE alias = ?")) {
            ps.setString(1, alias);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    /**
     * Points every alias of {@code fromRoom} at {@code toRoom} (a room upgrade moves them to the
     * replacement room); returns how many moved.
     */
    public int moveAll(String fromRoom, String toRoom) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE room_aliases SET room_id = ? WHERE room_id = ?")) {
            ps.setString(1, toRoom);
            ps.setString(2, fromRoom);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }

    private List<Alias> query(String sql, String arg) {
        List<Alias> found = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Alias(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StorageException(e);
        }
    }
}
