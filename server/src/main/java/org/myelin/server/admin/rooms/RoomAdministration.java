package org.myelin.server.admin.rooms;

import java.util.List;
import javax.sql.DataSource;
import org.myelin.server.RoomServices;
import org.myelin.server.admin.AdminAuth;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.http.Routes;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.rooms.BlockedRoomRepository;
import org.myelin.storage.rooms.RoomPurge;

/** The room side of the admin API, wired by constructors from the rooms and the client API's rooms. */
public final class RoomAdministration {

    private RoomAdministration() {
    }

    public static List<Routes> routes(AdminAuth auth, RoomServices rooms, ClientRooms client, AccountRepository accounts,
                                      BlockedRoomRepository blocked, DataSource dataSource) {
        RoomDescriber describer = new RoomDescriber(rooms.heads, rooms.eventCache, rooms.memberships,
                client.directoryRepository, rooms.local);
        RoomShutdown shutdown = new RoomShutdown(new RoomShutdown.Parts(blocked, rooms.heads, rooms.memberships,
                client.memberships, client.creation, client.actions, client.aliasRepository, client.directoryRepository,
                rooms.local, rooms.clock));
        RoomPurger purger = new RoomPurger(new RoomPurge(dataSource), rooms.rooms, rooms.heads, rooms.eventCache,
                rooms.eventStates, rooms.recent);
        RoomDeletions deletions = new RoomDeletions(shutdown, purger, rooms.memberships, rooms.clock);
        return List.of(
                new RoomReadRoutes(new RoomReadRoutes.Parts(auth, describer, rooms.rooms, rooms.heads, rooms.eventCache,
                        rooms.memberships, client.forgotten, accounts, client.timelineRepository,
                        client.clientEvents)),
                new RoomDeleteRoutes(auth, deletions, rooms.local.serverName()),
                new RoomModerationRoutes(new RoomModerationRoutes.Parts(auth, blocked, rooms.heads, rooms.eventCache,
                        rooms.memberships, client.memberships, client.actions, client.aliases, rooms.local)));
    }
}
