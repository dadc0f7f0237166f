package org.myelin.server.client.rooms;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.protocol.id.InvalidIdentifierException;
import org.myelin.protocol.id.UserId;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.rooms.MembershipRepository;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /_matrix/client/v1/mutual_rooms} (client-server API, "Mutual rooms"): the rooms both
 * the requester and another user are joined to, by room id, a hundred at a time. As Synapse, a page
 * ends at a room id and the next starts after it ({@code next_batch} is that id in unpadded
 * URL-safe base64), so rooms joined meanwhile with a smaller id show only from a new first page.
 */
public final class MutualRoomsRoutes implements Routes {

    /** Rooms in one answer: Synapse's batch. */
    static final int BATCH = 100;
    private static final Base64.Encoder TOKEN = Base64.getUrlEncoder().withoutPadding();

    /** The answer; {@code next_batch} absent on the last page. */
    record MutualRooms(List<String> joined, int count, String nextBatch) {}

    private final Authenticator auth;
    private final MembershipRepository memberships;

    public MutualRoomsRoutes(Authenticator auth, MembershipRepository memberships) {
        this.auth = auth;
        this.memberships = memberships;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.get("/_matrix/client/v1/mutual_rooms").handler(handlers.blocking(this::mutualRooms));
    }

    /**
     * {@code GET /_matrix/client/v1/mutual_rooms?user_id=…&from=…}: {@code joined} (sorted by room
     * id), {@code count} (of all pages) and {@code next_batch}. 400 M_MISSING_PARAM without
     * {@code user_id}; 400 M_INVALID_PARAM for a non-compliant user id, one's own, a repeated
     * parameter or a malformed {@code from}. A user who does not exist shares no room: empty.
     */
    JsonResponse mutualRooms(RoutingContext ctx) {
        Requester requester = auth.require(ctx);
        String other = single(ctx, "user_id");
        if (other == null) {
            throw MatrixException.missingParam("Missing user_id query parameter");
        }
        if (!compliant(other)) {
            throw MatrixException.invalidParam("Invalid user_id query parameter");
        }
        if (other.equals(requester.userId())) {
            throw MatrixException.invalidParam("You cannot request a list of shared rooms with yourself");
        }
        String after = after(single(ctx, "from"));
        List<String> shared = shared(requester.userId(), other);
        List<String> rest = after == null ? shared
                : shared.stream().filter(roomId -> roomId.compareTo(after) > 0).toList();
        if (rest.size() <= BATCH) {
            return JsonResponse.ok(new MutualRooms(rest, shared.size(), null));
        }
        List<String> page = rest.subList(0, BATCH);
        String next = TOKEN.encodeToString(page.getLast().getBytes(StandardCharsets.UTF_8));
        return JsonResponse.ok(new MutualRooms(page, shared.size(), next));
    }

    private List<String> shared(String userId, String other) {
        Set<String> theirs = new HashSet<>();
        memberships.roomsOf(other, "join").forEach(m -> theirs.add(m.roomId()));
        List<String> both = new ArrayList<>();
        for (MembershipRepository.Membership m : memberships.roomsOf(userId, "join")) {
            if (theirs.contains(m.roomId())) {
                both.add(m.roomId());
            }
        }
        both.sort(null);
        return both;
    }

    /** The room id a {@code from} token names; null for none. */
    private static String after(String from) {
        if (from == null || from.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(from), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw MatrixException.invalidParam("Malformed from token");
        }
    }

    private static String single(RoutingContext ctx, String name) {
        List<String> values = Params.queryAll(ctx, name);
        if (values.size() > 1) {
            throw MatrixException.invalidParam("Duplicate " + name + " query parameter");
        }
        return values.isEmpty() ? null : values.getFirst();
    }

    private static boolean compliant(String userId) {
        try {
            return UserId.parse(userId).isCompliant();
        } catch (InvalidIdentifierException e) {
            return false;
        }
    }
}
