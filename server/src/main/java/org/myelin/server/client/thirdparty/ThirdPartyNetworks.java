package org.myelin.server.client.thirdparty;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** The third-party networks the homeserver's application services bridge, and lookups in them. */
public interface ThirdPartyNetworks {

    /** No bridges: no protocol, nothing found. */
    ThirdPartyNetworks NONE = new ThirdPartyNetworks() {
        @Override
        public Map<String, ObjectNode> protocols(String only) {
            return Map.of();
        }

        @Override
        public boolean bridges(String protocol) {
            return false;
        }

        @Override
        public List<ObjectNode> lookup(Kind kind, String protocol, Map<String, List<String>> fields) {
            return List.of();
        }
    };

    /** What is looked up: portals to rooms, or users of the network. */
    enum Kind {
        LOCATION("location", "alias"), USER("user", "userid");

        public final String path;
        /** The field each result must have besides {@code protocol} and {@code fields}. */
        public final String idField;

        Kind(String path, String idField) {
            this.path = path;
            this.idField = idField;
        }
    }

    /** Protocol name → its metadata, instances of every service merged; only {@code only} if not null. */
    Map<String, ObjectNode> protocols(String only);

    /** Whether a service (with a URL) bridges {@code protocol}. */
    boolean bridges(String protocol);

    /** The results of the services bridging {@code protocol}, queried with {@code fields}. */
    List<ObjectNode> lookup(Kind kind, String protocol, Map<String, List<String>> fields);
}
