package org.myelin.storage.appservice;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.myelin.storage.Transactions;

/**
 * The rooms application services published in the room directories of their third-party
 * networks (client-server API, "Room directory", {@code /directory/list/appservice}).
 */
public final class AppServiceRoomListRepository {

    private final DataSource dataSource;

    public AppServiceRoomListRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Publishes {@code roomId} in the network's directory, or withdraws it. */
    public void publish(String appserviceId, String networkId, String roomId, boolean published) {
        Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(published
                    ? "INSERT INTO appservice_room_list (appservice_id, network_id, room_id) VALUES (?, ?, ?)"
                      + " ON CONFLICT DO NOTHING"
                    : "DELETE FROM appservice_room_list WHERE appservice_id = ? AND network_id = ? AND room_id = ?")) {
                ps.setString(1, appserviceId);
                ps.setString(2, networkId);
                ps.setString(3, roomId);
                return ps.executeUpdate();
            }
        });
    }

    /** The rooms published in any network's directory of any application service. */
    public List<String> allRooms() {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT DISTINCT room_id FROM appservice_room_list ORDER BY room_id")) {
                List<String> rooms = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rooms.add(rs.getString(1));
                    }
                }
                return rooms;
            }
        });
    }

    /** The rooms published in the network's directory. */
    public List<String> rooms(String appserviceId, String networkId) {
        return Transactions.withConnection(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT room_id FROM appservice_room_list"
                    + " WHERE appservice_id = ? AND network_id = ? ORDER BY room_id")) {
                ps.setString(1, appserviceId);
                ps.setString(2, networkId);
                List<String> rooms = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rooms.add(rs.getString(1));
                    }
                }
                return rooms;
            }
        });
    }
}
