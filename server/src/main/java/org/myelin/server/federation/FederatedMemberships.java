package org.myelin.server.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.federation.FederationException;
import org.myelin.federation.membership.RemoteInvites;
import org.myelin.federation.membership.RemoteMemberships;
import org.myelin.protocol.event.Pdu;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.client.rooms.RemoteInviter;
import org.myelin.server.client.rooms.RemoteJoiner;

import java.util.ArrayList;
import java.util.List;

/**
 * The client-server API's ports to rooms of other servers ({@link RemoteJoiner},
 * {@link RemoteInviter}) over federation's membership handshakes; federation's refusals become
 * the client's Matrix errors.
 */
final class FederatedMemberships implements RemoteJoiner, RemoteInviter {

    private final RemoteMemberships memberships;
    private final RemoteInvites invites;

    FederatedMemberships(RemoteMemberships memberships, RemoteInvites invites) {
        this.memberships = memberships;
        this.invites = invites;
    }

    @Override
    public String join(String roomId, String userId, List<String> via, ObjectNode content) {
        try {
            return memberships.join(roomId, userId, via, content);
        } catch (FederationException e) {
            throw FederationAuth.toMatrix(e);
        }
    }

    @Override
    public String leave(String roomId, String userId, ObjectNode content) {
        try {
            return memberships.leave(roomId, userId, servers(roomId), content);
        } catch (FederationException e) {
            throw FederationAuth.toMatrix(e);
        }
    }

    /** Knocks on a room of another server through {@code via} (client-server API, "Knocking on rooms"). */
    String knock(String roomId, String userId, List<String> via, ObjectNode content) {
        List<String> servers = new ArrayList<>(via);
        servers.addAll(servers(roomId));
        try {
            return memberships.knock(roomId, userId, servers, content);
        } catch (FederationException e) {
            throw FederationAuth.toMatrix(e);
        }
    }

    @Override
    public String invite(Input.LocalEvent invite) {
        try {
            return invites.invite(invite);
        } catch (FederationException e) {
            throw FederationAuth.toMatrix(e);
        }
    }

    /** The server a room id names, in room versions that name one. */
    private static List<String> servers(String roomId) {
        String domain = Pdu.domainOf(roomId);
        return domain.isEmpty() ? List.of() : List.of(domain);
    }
}
