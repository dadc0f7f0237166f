package org.myelin.server.client.keys.backup;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.client.account.AccountLifecycle;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.keys.backup.KeyBackupRepository;
import org.myelin.storage.keys.backup.KeyBackupRepository.KeysWrite;
import org.myelin.storage.keys.backup.KeyBackupRepository.RoomSession;
import org.myelin.storage.keys.backup.KeyBackupRepository.Version;

import java.util.List;

/**
 * A user's server-side key backups (client-server API, "Server-side key backups"): versions
 * created, read, updated and deleted, session keys uploaded to the current version (the better of
 * two keys of a session kept, {@link SessionKeyRule}), read and deleted. Versions are numbers
 * given out in order and never again; a version string that is not one of them is unknown (404),
 * as in Synapse. Backups go with their user's account when it is deactivated.
 */
public final class KeyBackups implements AccountLifecycle {

    /** What {@code GET /room_keys/version[/{version}]} answers. */
    public record VersionInfo(String algorithm, @JsonRawValue String authData, long count, String etag,
                              String version) {
        static VersionInfo of(Version v) {
            return new VersionInfo(v.algorithm(), v.authData(), v.count(), Long.toString(v.etag()),
                    Long.toString(v.version()));
        }
    }

    private final KeyBackupRepository repository;

    public KeyBackups(KeyBackupRepository repository) {
        this.repository = repository;
    }

    /** Creates a version from {@code {"algorithm": …, "auth_data": {…}}}; returns its version string. */
    public String create(String userId, JsonNode body) {
        ObjectNode request = object(body, "Request body");
        String algorithm = algorithm(request);
        return Long.toString(repository.create(userId, algorithm, authData(request)));
    }

    /** The current version; 404 when the user has none. */
    public VersionInfo current(String userId) {
        return repository.current(userId).map(VersionInfo::of)
                .orElseThrow(() -> MatrixException.notFound("No current backup version"));
    }

    /** A version; 404 when it does not exist (any more). */
    public VersionInfo version(String userId, String version) {
        return repository.version(userId, number(version)).map(VersionInfo::of).orElseThrow(KeyBackups::unknown);
    }

    /**
     * Replaces a version's {@code auth_data}; the body's {@code algorithm} must be the version's
     * and its {@code version}, if any, the path's (400 M_INVALID_PARAM).
     */
    public void update(String userId, String version, JsonNode body) {
        ObjectNode request = object(body, "Request body");
        JsonNode named = request.get("version");
        if (named != null && !(named.isTextual() && named.textValue().equals(version))) {
            throw MatrixException.invalidParam("Version in body does not match");
        }
        String algorithm = algorithm(request);
        String authData = authData(request);
        switch (repository.update(userId, number(version), algorithm, authData)) {
            case UPDATED -> { }
            case NOT_FOUND -> throw unknown();
            case ALGORITHM_MISMATCH -> throw MatrixException.invalidParam("Algorithm does not match");
        }
    }

    /** Deletes a version and its keys; 200 also when it was deleted before, 404 when it never was. */
    public void delete(String userId, String version) {
        if (!repository.deleteVersion(userId, number(version))) {
            throw unknown();
        }
    }

    /** Uploads keys to {@code version}, which must be the current one. */
    public KeysWrite upload(String userId, String version, List<RoomSession> sessions) {
        return repository.upload(userId, number(version), sessions, SessionKeyRule::replaces);
    }

    /** Deletes keys of {@code version}: all, a room's ({@code sessionId} null) or one session's. */
    public KeysWrite deleteKeys(String userId, String version, String roomId, String sessionId) {
        return repository.deleteKeys(userId, number(version), roomId, sessionId);
    }

    /** Keys of {@code version}: all, a room's ({@code sessionId} null) or one session's; 404 for an unknown version. */
    public List<RoomSession> keys(String userId, String version, String roomId, String sessionId) {
        return repository.keys(userId, number(version), roomId, sessionId).orElseThrow(KeyBackups::unknown);
    }

    @Override
    public void accountDeactivated(String userId) {
        repository.deleteAll(userId);
    }

    static MatrixException unknown() {
        return MatrixException.notFound("Unknown backup version");
    }

    /** A version string as the number it names; one that names none (not digits, too long) is -1, never found. */
    private static long number(String version) {
        if (version == null || version.isEmpty() || version.length() > 18
                || !version.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return -1;
        }
        return Long.parseLong(version);
    }

    private static String algorithm(ObjectNode request) {
        JsonNode algorithm = request.get("algorithm");
        if (algorithm == null || !algorithm.isTextual()) {
            throw MatrixException.badJson("'algorithm' must be a string");
        }
        return algorithm.textValue();
    }

    private static String authData(ObjectNode request) {
        return BackedUpKeys.text(object(request.get("auth_data"), "'auth_data'"));
    }

    private static ObjectNode object(JsonNode node, String what) {
        if (!(node instanceof ObjectNode object)) {
            throw MatrixException.badJson(what + " must be an object");
        }
        return object;
    }
}
