package org.myelin.server.federation;

import org.myelin.federation.inbound.EventServing;
import org.myelin.federation.inbound.RoomAccess;
import org.myelin.federation.membership.InviteReceiver;
import org.myelin.federation.membership.MembershipHandshake;
import org.myelin.federation.membership.MembershipTemplates;
import org.myelin.federation.membership.RemoteInvites;
import org.myelin.federation.membership.RemoteMemberships;
import org.myelin.federation.membership.RestrictedJoins;
import org.myelin.federation.membership.StrippedState;
import org.myelin.server.RoomServices;
import org.myelin.server.client.rooms.ClientRooms;
import org.myelin.server.client.rooms.ThirdPartyRedeemer;
import org.myelin.server.client.sync.SyncServices;
import org.myelin.server.config.Resource;
import org.myelin.server.http.Routes;
import org.myelin.server.identity.IdentityServers;
import org.myelin.server.client.presence.PresenceService;
import org.myelin.server.client.profile.ProfileService;

import java.util.List;
import java.util.Map;

/**
 * Rooms across servers, wired by constructors on top of the federation transport, the rooms and
 * the client-server API: serving other servers' joins, knocks, leaves and invites, queries and
 * our room directory; joining, leaving, knocking on and inviting to rooms of other servers for our
 * users (plugged into the client API's ports); typing, receipts and presence to and from other
 * servers (plugged into the sync side).
 */
public final class MembershipFederation implements AutoCloseable {

    private final FederationAuth auth;
    private final MembershipTemplates templates;
    private final MembershipHandshake handshake;
    private final InviteReceiver invites;
    private final QueryRoutes.Parts queries;
    private final ClientRooms clientRooms;
    private final FederatedMemberships memberships;
    private final RoomServices rooms;
    private final org.myelin.server.client.auth.Authenticator clientAuth;
    private final FederatedPresence presence;
    private final ThirdPartyInviteExchange thirdPartyInvites;

    /**
     * The client API's authenticator (for the knock endpoint), profiles (served to other
     * servers, and asked of them for their users), and identity servers (whose keys third-party
     * invites are checked against).
     */
    public record Parts(org.myelin.server.client.auth.Authenticator clientAuth, ProfileService profiles,
                        PresenceService presence, IdentityServers identity) {
    }

    public MembershipFederation(FederationServices federation, RoomServices rooms, ClientRooms clientRooms,
                                SyncServices sync, Parts parts) {
        this.clientRooms = clientRooms;
        this.rooms = rooms;
        this.clientAuth = parts.clientAuth();
        this.auth = new FederationAuth(federation.authenticator, origin -> federation.outbound().remoteServerUp(origin));
        RoomAccess access = new RoomAccess(rooms.heads, rooms.eventCache, rooms.eventStates, rooms.memberships);
        StrippedState stripped = new StrippedState(rooms.eventCache);
        RestrictedJoins restricted = new RestrictedJoins(rooms.local, rooms.eventCache, rooms.heads,
                rooms.memberships);
        this.templates = new MembershipTemplates(rooms.local, rooms.heads, rooms.eventCache, access, restricted,
                rooms.clock);
        EventServing serving = new EventServing(rooms.local.serverName(), rooms.eventCache, rooms.events,
                rooms.eventStates, access, rooms.clock);
        this.handshake = new MembershipHandshake(new MembershipHandshake.Parts(rooms.local, rooms.heads, rooms.pipeline,
                access, serving, rooms.memberships, stripped, restricted, federation.outbound()));
        this.invites = new InviteReceiver(rooms.local, rooms.pipeline, access);
        this.queries = new QueryRoutes.Parts(rooms.local, clientRooms.aliasRepository, rooms.memberships,
                parts.profiles());
        parts.profiles().useRemote(new FederatedProfiles(federation.client));

        RemoteMemberships remote = new RemoteMemberships(new RemoteMemberships.Parts(rooms.local, federation.client,
                rooms.pipeline, federation.signatures, rooms.eventCache, rooms.memberships, rooms.clock,
                federation.remoteEvents));
        RemoteInvites remoteInvites = new RemoteInvites(new RemoteInvites.Parts(rooms.local, federation.client,
                rooms.pipeline, rooms.heads, federation.signatures, stripped));
        this.memberships = new FederatedMemberships(remote, remoteInvites);
        clientRooms.useRemoteJoiner(memberships);
        clientRooms.useRemoteInviter(memberships);
        clientRooms.useRemoteDirectory(new FederatedDirectory(federation.client));
        this.thirdPartyInvites = new ThirdPartyInviteExchange(new ThirdPartyInviteExchange.Parts(rooms.local,
                clientRooms.access, rooms.memberships, clientRooms.memberships, parts.identity(), federation.client));

        this.presence = new FederatedPresence(rooms.local, rooms.memberships::serversSharingARoomWith,
                userId -> !rooms.memberships.roomsOf(userId, "join").isEmpty(), parts.presence(), federation::queueEdu,
                rooms.clock).start();
        parts.presence().listen(presence);
        FederatedEdus edus = new FederatedEdus(new FederatedEdus.Parts(rooms.local, rooms.memberships, sync.typing,
                sync.receipts, rooms.eventCache, federation::queueEdu, rooms.clock, presence));
        federation.useInboundEdus(edus);
        sync.typing.listen(edus);
        sync.receipts.listen(edus);
    }

    /**
     * The routes: membership handshakes, invites, queries and the room directory on the federation
     * listener; knocking on the client listener.
     */
    public Map<Resource, List<Routes>> routes() {
        return Map.of(Resource.FEDERATION, List.of(
                        new MembershipRoutes(auth, templates, handshake, invites),
                        new QueryRoutes(auth, queries),
                        new PublicRoomsRoutes(auth, clientRooms.publicRooms),
                        new ThirdPartyInviteRoutes(auth, thirdPartyInvites)),
                Resource.CLIENT, List.of(
                        new KnockRoutes(clientRooms, rooms.memberships, memberships, rooms.local, clientAuth)));
    }

    /** What redeems the third-party invite a join with {@code third_party_signed} names. */
    public ThirdPartyRedeemer thirdPartyRedeemer() {
        return thirdPartyInvites;
    }

    /** Stops the presence sweep. */
    @Override
    public void close() {
        presence.close();
    }
}
