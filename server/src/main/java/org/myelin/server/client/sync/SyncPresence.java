package org.myelin.server.client.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.client.sync.filter.EventFilter;

import java.util.List;
import java.util.Set;

/**
 * What /sync needs from presence (client-server API, "Presence"), implemented by the presence
 * module. Presence changes take positions in the presence stream and are announced through
 * {@link org.myelin.server.streams.Streams#advanced}, which wakes the syncs waiting on the keys given.
 */
public interface SyncPresence {

    /**
     * A client of {@code userId} starts a sync with {@code setPresence} ({@code online},
     * {@code unavailable}, {@code offline}; null when the request did not say, which the spec
     * treats as {@code online}); the sync lasts until the returned handle is closed.
     */
    Syncing syncing(String userId, String setPresence);

    /** A sync in progress, as far as presence is concerned. */
    interface Syncing extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The {@code m.presence} events {@code userId} should see for changes at presence positions in
     * ({@code after}, {@code upTo}] (all current presence of interest when {@code after} is 0),
     * passing {@code filter}.
     */
    List<ObjectNode> changes(String userId, long after, long upTo, EventFilter filter);

    /** The {@code m.presence} events of those of {@code users} whose presence is known ({@code /initialSync} of a room). */
    List<ObjectNode> current(Set<String> users);

    /** No presence: nothing recorded, nothing reported. */
    SyncPresence NONE = new SyncPresence() {
        @Override
        public Syncing syncing(String userId, String setPresence) {
            return () -> { };
        }

        @Override
        public List<ObjectNode> changes(String userId, long after, long upTo, EventFilter filter) {
            return List.of();
        }

        @Override
        public List<ObjectNode> current(Set<String> users) {
            return List.of();
        }
    };
}
