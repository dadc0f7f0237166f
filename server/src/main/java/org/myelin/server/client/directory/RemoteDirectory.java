package org.myelin.server.client.directory;

import org.myelin.server.http.MatrixException;

import java.util.List;
import java.util.Optional;

/**
 * Other servers' directories (server-server API, "Querying for information": the
 * {@code directory} query; "Public Room Directory"). Declared here, implemented by federation;
 * until it is plugged in, other servers' aliases are not found and their room lists not reached.
 */
public interface RemoteDirectory {

    /** What an alias of another server names: the room and servers that are in it. */
    record Resolved(String roomId, List<String> servers) {
    }

    /** Asks the alias's server what it names; empty if that server does not know the alias. */
    Optional<Resolved> resolve(String alias);

    /** {@code server}'s published room directory, with the request's paging and filter. */
    PublicRoomsResponse publicRooms(String server, PublicRoomsQuery query);

    RemoteDirectory UNAVAILABLE = new RemoteDirectory() {
        @Override
        public Optional<Resolved> resolve(String alias) {
            return Optional.empty();
        }

        @Override
        public PublicRoomsResponse publicRooms(String server, PublicRoomsQuery query) {
            throw MatrixException.notFound("Cannot reach server " + server);
        }
    };
}
