package org.myelin.server.client.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.id.ServerName;

import java.util.List;
import java.util.Map;

/**
 * The keys of users on other servers (server-server API, "End-to-End Encryption": {@code POST
 * /_matrix/federation/v1/user/keys/query} and {@code /user/keys/claim}): the port the federation
 * side implements ({@code server.federation.FederatedKeys}). {@link #NONE} answers every server as
 * unreachable, which clients take as "try again later". Each call is bounded by its timeout; calls
 * for several servers run at the same time.
 */
public interface RemoteKeys {

    /**
     * What one server answered a key query with, each map keyed by user id, or why it did not.
     *
     * @param failure null when the server answered
     */
    record QueryAnswer(Map<String, Map<String, ObjectNode>> deviceKeys, Map<String, ObjectNode> masterKeys,
                       Map<String, ObjectNode> selfSigningKeys, KeyFailure failure) {
        public static QueryAnswer failed(KeyFailure failure) {
            return new QueryAnswer(Map.of(), Map.of(), Map.of(), failure);
        }
    }

    /**
     * What one server answered a claim with: user id → device id → {@code <algorithm>:<key_id>} →
     * key, or why it did not.
     */
    record ClaimAnswer(Map<String, Map<String, ObjectNode>> oneTimeKeys, KeyFailure failure) {
        public static ClaimAnswer failed(KeyFailure failure) {
            return new ClaimAnswer(Map.of(), failure);
        }
    }

    /** None yet: every server is a failure. */
    RemoteKeys NONE = new RemoteKeys() {
        @Override
        public QueryAnswer query(ServerName server, Map<String, List<String>> devicesByUser, long timeoutMs) {
            return QueryAnswer.failed(KeyFailure.unreachable("Keys of users on other servers are not fetched yet"));
        }

        @Override
        public ClaimAnswer claim(ServerName server, Map<String, Map<String, String>> algorithmByDevice,
                                 long timeoutMs) {
            return ClaimAnswer.failed(KeyFailure.unreachable("Keys of users on other servers are not fetched yet"));
        }
    };

    /** Asks {@code server} for the device and cross-signing keys of its users (an empty device list: all). */
    QueryAnswer query(ServerName server, Map<String, List<String>> devicesByUser, long timeoutMs);

    /** Claims one-time keys of {@code server}'s users: user id → device id → algorithm. */
    ClaimAnswer claim(ServerName server, Map<String, Map<String, String>> algorithmByDevice, long timeoutMs);
}
