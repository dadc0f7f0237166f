package org.myelin.server.client.keys.backup;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.rooms.Params;
import org.myelin.server.http.BodyLimit;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.keys.backup.KeyBackupRepository.KeysWrite;
import org.myelin.storage.keys.backup.KeyBackupRepository.RoomSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of a backup (client-server API, "Server-side key backups"): {@code PUT}, {@code GET}
 * and {@code DELETE /room_keys/keys}, {@code /room_keys/keys/{roomId}} and
 * {@code /room_keys/keys/{roomId}/{sessionId}}, each with the backup's {@code version} in the query.
 */
public final class BackupKeysRoutes implements Routes {

    private static final String KEYS = "/_matrix/client/v3/room_keys/keys";

    /**
     * Clients upload their keys in batches of a few hundred sessions of about a KiB each, more
     * than the JSON default allows: 16 × 64 KiB.
     */
    static final BodyLimit BODY = new BodyLimit(16 * BodyLimit.EVENT_BYTES);

    /** {@code KeyBackupData}; {@code session_data} is written as it was stored. */
    record KeyData(long firstMessageIndex, long forwardedCount, @JsonProperty("is_verified") boolean verified,
                   @JsonRawValue String sessionData) {
        static KeyData of(RoomSession s) {
            return new KeyData(s.key().firstMessageIndex(), s.key().forwardedCount(), s.key().verified(),
                    s.key().sessionData());
        }
    }

    record RoomKeys(Map<String, KeyData> sessions) {
    }

    record AllKeys(Map<String, RoomKeys> rooms) {
    }

    /** {@code RoomKeysUpdateResponse}. */
    record Updated(String etag, long count) {
    }

    /** 403 M_WRONG_ROOM_KEYS_VERSION names the current version. */
    record WrongVersion(String errcode, String error, String currentVersion) {
    }

    private final KeyBackups backups;
    private final Authenticator auth;

    public BackupKeysRoutes(KeyBackups backups, Authenticator auth) {
        this.backups = backups;
        this.auth = auth;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        for (String path : List.of(KEYS, KEYS + "/:roomId", KEYS + "/:roomId/:sessionId")) {
            router.put(path).handler(handlers.blocking(BODY, this::upload));
            router.get(path).handler(handlers.blocking(this::get));
            router.delete(path).handler(handlers.blocking(this::delete));
        }
    }

    /**
     * {@code PUT /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]]?version=…}: stores keys
     * in the current version, keeping the better key of a session already there; 403
     * M_WRONG_ROOM_KEYS_VERSION for an older version, 404 for one that does not exist.
     */
    JsonResponse upload(RoutingContext ctx) {
        String userId = auth.require(ctx).userId();
        String version = version(ctx);
        String roomId = ctx.pathParam("roomId");
        String sessionId = ctx.pathParam("sessionId");
        List<RoomSession> sessions = roomId == null ? BackedUpKeys.ofAll(Json.parseBody(ctx, Json.BodyKind.KEPT_AS_TEXT))
                : sessionId == null ? BackedUpKeys.ofRoom(roomId, Json.parseBody(ctx, Json.BodyKind.KEPT_AS_TEXT))
                : List.of(BackedUpKeys.ofSession(roomId, sessionId, Json.parseBody(ctx, Json.BodyKind.KEPT_AS_TEXT)));
        return answer(backups.upload(userId, version, sessions));
    }

    /**
     * {@code GET /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]]?version=…}: all keys
     * by room, a room's by session (empty {@code sessions} when none), or one session's key (404 when
     * it is not backed up).
     */
    JsonResponse get(RoutingContext ctx) {
        String userId = auth.require(ctx).userId();
        String version = version(ctx);
        String roomId = ctx.pathParam("roomId");
        String sessionId = ctx.pathParam("sessionId");
        List<RoomSession> found = backups.keys(userId, version, roomId, sessionId);
        if (sessionId != null) {
            return JsonResponse.ok(found.stream().findFirst().map(KeyData::of)
                    .orElseThrow(() -> MatrixException.notFound("No room_keys found")));
        }
        Map<String, RoomKeys> rooms = new LinkedHashMap<>();
        for (RoomSession s : found) {
            rooms.computeIfAbsent(s.roomId(), r -> new RoomKeys(new LinkedHashMap<>())).sessions()
                    .put(s.sessionId(), KeyData.of(s));
        }
        if (roomId != null) {
            return JsonResponse.ok(rooms.getOrDefault(roomId, new RoomKeys(Map.of())));
        }
        return JsonResponse.ok(new AllKeys(rooms));
    }

    /**
     * {@code DELETE /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]]?version=…}: deletes
     * keys of any version that exists.
     */
    JsonResponse delete(RoutingContext ctx) {
        String userId = auth.require(ctx).userId();
        return answer(backups.deleteKeys(userId, version(ctx), ctx.pathParam("roomId"), ctx.pathParam("sessionId")));
    }

    private static String version(RoutingContext ctx) {
        String version = Params.query(ctx, "version");
        if (version == null) {
            throw MatrixException.missingParam("Missing query parameter 'version'");
        }
        return version;
    }

    private static JsonResponse answer(KeysWrite write) {
        return switch (write) {
            case KeysWrite.Done done -> JsonResponse.ok(new Updated(Long.toString(done.etag()), done.count()));
            case KeysWrite.WrongVersion wrong -> new JsonResponse(ErrCode.M_WRONG_ROOM_KEYS_VERSION.status(),
                    new WrongVersion(ErrCode.M_WRONG_ROOM_KEYS_VERSION.name(), "Wrong backup version.",
                            Long.toString(wrong.current())));
            case KeysWrite.NotFound notFound -> throw KeyBackups.unknown();
        };
    }
}
