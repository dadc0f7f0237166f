package org.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.client.FederationClient;
import org.myelin.federation.client.FederationClientException;
import org.myelin.protocol.event.Pdu;
import org.myelin.server.client.profile.RemoteProfiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The profile API's {@link RemoteProfiles} over federation (server-server API, "Querying for
 * information": {@code GET /_matrix/federation/v1/query/profile}).
 */
final class FederatedProfiles implements RemoteProfiles {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedProfiles.class);

    private final FederationClient client;

    FederatedProfiles(FederationClient client) {
        this.client = client;
    }

    @Override
    public Optional<ObjectNode> query(String userId, String field) {
        String server = Pdu.domainOf(userId);
        String uri = "/_matrix/federation/v1/query/profile?user_id=" + FederationClient.encode(userId)
                + (field == null ? "" : "&field=" + FederationClient.encode(field));
        try {
            JsonNode answer = client.get(server, uri);
            return answer instanceof ObjectNode profile ? Optional.of(profile) : Optional.empty();
        } catch (FederationClientException e) {
            if (e.status() != 404) {
                LOG.info("Cannot ask {} for the profile of {}: {}", server, userId, e.getMessage());
            }
            return Optional.empty();
        }
    }
}
