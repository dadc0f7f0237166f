package org.myelin.server.client.rooms;

import org.myelin.server.client.profile.Profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.protocol.event.Pdu;
import org.myelin.protocol.event.StateKey;
import org.myelin.protocol.id.UserId;
import org.myelin.rooms.LocalServer;
import org.myelin.rooms.head.RoomHead;
import org.myelin.rooms.pipeline.Input;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.rooms.ForgottenRoomRepository;
import org.myelin.storage.rooms.MembershipRepository;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Membership changes a client asks for (client-server API, "Room membership"): join, invite,
 * leave, kick, ban, unban, forget. Each becomes an {@code m.room.member} event through
 * {@link RoomActions}; the pipeline's auth rules decide. Besides auth, as Synapse does: guests
 * join only rooms with {@code guest_access: can_join}; unban applies only to banned users; a
 * banned user cannot be kicked (only unbanned), nor one who is not in the room. Joins of rooms this server is not in go to the
 * {@link RemoteJoiner}, invites of other servers' users to the {@link RemoteInviter}.
 */
public final class Memberships {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String JOIN_AUTHORISED_VIA = "join_authorised_via_users_server";
    private static final int MAX_DISPLAYNAME_LENGTH = 256;
    private static final int MAX_AVATAR_URL_LENGTH = 1000;

    private final RoomActions actions;
    private final RoomAccess access;
    private final MembershipRepository memberships;
    private final ForgottenRoomRepository forgotten;
    private final LocalServer local;
    private final Supplier<Profiles> profiles;
    private final Supplier<RemoteJoiner> remoteJoiner;
    private final Supplier<RemoteInviter> remoteInviter;

    /** What membership changes need; the suppliers give the ports plugged in at the time. */
    public record Parts(RoomActions actions, RoomAccess access, MembershipRepository memberships,
                        ForgottenRoomRepository forgotten, LocalServer local, Supplier<Profiles> profiles,
                        Supplier<RemoteJoiner> remoteJoiner, Supplier<RemoteInviter> remoteInviter) {
    }

    public Memberships(Parts parts) {
        this.actions = parts.actions();
        this.access = parts.access();
        this.memberships = parts.memberships();
        this.forgotten = parts.forgotten();
        this.local = parts.local();
        this.profiles = parts.profiles();
        this.remoteJoiner = parts.remoteJoiner();
        this.remoteInviter = parts.remoteInviter();
    }

    /**
     * Joins the requester to a room; {@code via}: servers to join through if this one is not in
     * it. {@code body} is the client's request body (null for none): what it holds besides
     * {@code membership} goes into the member event, as Synapse does ({@link #joinContent}).
     */
    public String join(Requester requester, String roomId, List<String> via, ObjectNode body) {
        actions.restrictions().checkMaySend(requester.userId());
        actions.restrictions().checkNotBlocked(roomId);
        ObjectNode content = joinContent(body);
        addProfile(content, requester.userId());
        if (!isInRoom(roomId)) {
            Set<String> servers = new LinkedHashSet<>(via);
            servers.addAll(memberships.joinedServers(roomId));
            if (!Pdu.domainOf(roomId).isEmpty()) {
                servers.add(Pdu.domainOf(roomId)); // v1-v11 room ids name their creating server
            }
            servers.remove(local.serverName());
            return remoteJoiner.get().join(roomId, requester.userId(), List.copyOf(servers), content);
        }
        if (requester.isGuest()) {
            Pdu guestAccess = access.currentState(roomId, StateKey.of("m.room.guest_access", ""));
            if (guestAccess == null || !"can_join".equals(guestAccess.content().path("guest_access").asText())) {
                throw MatrixException.of(ErrCode.M_GUEST_ACCESS_FORBIDDEN, "Guest access not allowed");
            }
        }
        return actions.sendState(roomId, requester.userId(), StateKey.MEMBER, requester.userId(), content);
    }

    /** Invites {@code target}; {@code isDirect} marks the invite as a direct chat. */
    public String invite(Requester requester, String roomId, String target, String reason, boolean isDirect) {
        requireUserId(target);
        actions.restrictions().checkMaySend(requester.userId());
        actions.restrictions().checkNotBlocked(roomId);
        access.head(roomId);
        if (actions.restrictions().isShadowBanned(requester.userId())) {
            return null; // as Synapse: the invite seems to succeed and is never sent
        }
        ObjectNode content = memberContent("invite", reason);
        if (isDirect) {
            content.put("is_direct", true);
        }
        if (!local.isLocalUser(target)) {
            return remoteInviter.get().invite(Input.LocalEvent.state(roomId, requester.userId(), StateKey.MEMBER,
                    target, content));
        }
        addProfile(content, target);
        return actions.sendState(roomId, requester.userId(), StateKey.MEMBER, target, content);
    }

    /**
     * The invite that redeems a third-party invite (server-server API, "Third-party invites"),
     * sent for {@code sender}, the user of this server who invited the identifier:
     * {@code content} holds {@code third_party_invite}; the auth rules check its signature. A
     * user of another server is invited through its server, as any invitee.
     */
    public String inviteRedeeming(String roomId, String sender, String target, ObjectNode content) {
        requireUserId(target);
        if (!local.isLocalUser(target)) {
            return remoteInviter.get().invite(Input.LocalEvent.state(roomId, sender, StateKey.MEMBER, target, content));
        }
        addProfile(content, target);
        return actions.sendState(roomId, sender, StateKey.MEMBER, target, content);
    }

    /** The requester leaves the room (or rejects an invite to it). */
    public String leave(Requester requester, String roomId, String reason) {
        ObjectNode content = memberContent("leave", reason);
        if (!isInRoom(roomId)) {
            // Known only from an invite (or a copy this server no longer takes part in): the
            // leave goes through a server that is in the room.
            return remoteJoiner.get().leave(roomId, requester.userId(), content);
        }
        return actions.sendState(roomId, requester.userId(), StateKey.MEMBER, requester.userId(), content);
    }

    /** Kicks {@code target} out of the room. */
    public String kick(Requester requester, String roomId, String target, String reason) {
        requireUserId(target);
        access.head(roomId);
        String membership = currentMembership(roomId, target);
        if ("ban".equals(membership)) {
            throw badState("Cannot kick user " + target + " who was banned");
        }
        if (membership == null || membership.equals("leave")) {
            // The auth rules would allow it (a leave by someone with the power to kick); Synapse refuses.
            throw MatrixException.forbidden("The target user is not in the room");
        }
        return actions.sendState(roomId, requester.userId(), StateKey.MEMBER, target, memberContent("leave", reason));
    }

    /** Bans {@code target} from the room. */
    public String ban(Requester requester, String roomId, String target, String reason) {
        requireUserId(target);
        access.head(roomId);
        return actions.sendState(roomId, requester.userId(), StateKey.MEMBER, target, memberContent("ban", reason));
    }

    /** Lifts the ban of {@code target}: their membership becomes {@code leave}. */
    public String unban(Requester requester, String roomId, String target, String reason) {
        requireUserId(target);
        access.head(roomId);
        String membership = currentMembership(roomId, target);
        if (!"ban".equals(membership)) {
            throw badState("Cannot unban user who was not banned (membership=" + membership + ")");
        }
        return actions.sendState(roomId, requester.userId(), StateKey.MEMBER, target, memberContent("leave", reason));
    }

    /** Forgets a room the requester has left; 400 while they are still in it (or invited, knocking). */
    public void forget(Requester requester, String roomId) {
        Optional<MembershipRepository.Membership> membership = memberships.of(roomId, requester.userId());
        if (membership.isEmpty()) {
            return;
        }
        String m = membership.get().membership();
        if (m.equals("join") || m.equals("invite") || m.equals("knock")) {
            throw MatrixException.unknownBadRequest("User " + requester.userId() + " is in room " + roomId);
        }
        forgotten.forget(requester.userId(), roomId, membership.get().eventId());
    }

    /**
     * Whether a join can happen here: this server knows the room and, if other servers are in it,
     * is in it too (else its copy may be stale and the join must go through them).
     */
    private boolean isInRoom(String roomId) {
        if (roomIdOrNull(roomId) == null) {
            return false;
        }
        List<String> servers = memberships.joinedServers(roomId);
        return servers.isEmpty() || servers.contains(local.serverName());
    }

    private String roomIdOrNull(String roomId) {
        try {
            RoomHead head = access.head(roomId);
            return head.roomId();
        } catch (MatrixException e) {
            return null;
        }
    }

    private String currentMembership(String roomId, String userId) {
        return memberships.of(roomId, userId).map(MembershipRepository.Membership::membership).orElse(null);
    }

    /** The user's global display name and avatar, where the content does not give its own (a per-room profile). */
    private void addProfile(ObjectNode content, String userId) {
        profiles.get().lookup(userId).ifPresent(p -> {
            if (!content.has("displayname") && p.displayname() != null) {
                content.put("displayname", p.displayname());
            }
            if (!content.has("avatar_url") && p.avatarUrl() != null) {
                content.put("avatar_url", p.avatarUrl());
            }
        });
    }

    /**
     * The content of a join: {@code membership: join}, then the body's other keys (a reason, a
     * per-room {@code displayname} or {@code avatar_url}, keys of the client's own), but never
     * {@code join_authorised_via_users_server}, which only a resident server may put in.
     * Synapse's bounds on the profile fields; 400 M_BAD_JSON beyond them.
     */
    static ObjectNode joinContent(ObjectNode body) {
        ObjectNode content = memberContent("join", null);
        if (body == null) {
            return content;
        }
        body.properties().forEach(field -> {
            if (!field.getKey().equals("membership") && !field.getKey().equals(JOIN_AUTHORISED_VIA)) {
                content.set(field.getKey(), field.getValue());
            }
        });
        checkText(content, "reason", Integer.MAX_VALUE);
        checkText(content, "displayname", MAX_DISPLAYNAME_LENGTH);
        checkText(content, "avatar_url", MAX_AVATAR_URL_LENGTH);
        return content;
    }

    private static void checkText(ObjectNode content, String key, int maxLength) {
        JsonNode value = content.get(key);
        if (value != null && !value.isNull() && (!value.isTextual() || value.textValue().length() > maxLength)) {
            throw MatrixException.badJson("'" + key + "' must be a string of at most " + maxLength + " characters");
        }
    }

    private static ObjectNode memberContent(String membership, String reason) {
        ObjectNode content = JSON.objectNode();
        content.put("membership", membership);
        if (reason != null) {
            content.put("reason", reason);
        }
        return content;
    }

    private static void requireUserId(String userId) {
        if (userId == null || !UserId.isValid(userId)) {
            throw MatrixException.invalidParam("Invalid user id: " + userId);
        }
    }

    private static MatrixException badState(String message) {
        return MatrixException.of(ErrCode.M_BAD_STATE, message).withStatus(403);
    }
}
