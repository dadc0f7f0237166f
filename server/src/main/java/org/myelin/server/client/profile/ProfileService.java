package org.myelin.server.client.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.myelin.server.RoomServices;
import org.myelin.server.http.ErrCode;
import org.myelin.server.http.MatrixException;
import org.myelin.storage.accounts.AccountRepository;
import org.myelin.storage.profiles.ProfileRepository;
import org.myelin.storage.profiles.ProfileRepository.StoredProfile;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import static org.myelin.server.client.profile.ProfileFields.AVATAR_URL;
import static org.myelin.server.client.profile.ProfileFields.DISPLAYNAME;

/**
 * Users' profiles (client-server API, "Profiles"): reading any user's, changing one's own, and
 * carrying display name and avatar changes into the member events of the rooms the user is in.
 *
 * <p>A local user's profile is created on first use with the localpart as display name, as
 * Synapse does at registration; {@link #createDefault} does it eagerly. A user without an
 * account has no profile (404).
 *
 * <p>Changes of one user are serialised (lock striping on the user id), so the last profile
 * stored is also the last one sent into the rooms.
 */
public final class ProfileService implements Profiles {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LOCK_STRIPES = 64;

    private final ProfileRepository profiles;
    private final AccountRepository accounts;
    private final String serverName;
    private final MemberEventUpdates memberEvents;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final AtomicReference<RemoteProfiles> remote = new AtomicReference<>(RemoteProfiles.NONE);
    /** Whether an application service makes an unknown local user on demand (set once at start). */
    private volatile java.util.function.Predicate<String> unknownUserQuery = userId -> false;

    public ProfileService(ProfileRepository profiles, AccountRepository accounts, RoomServices rooms) {
        this.profiles = profiles;
        this.accounts = accounts;
        this.serverName = rooms.local.serverName();
        this.memberEvents = new MemberEventUpdates(rooms);
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Where profiles of other servers' users come from; federation sets it. */
    public void useRemote(RemoteProfiles remoteProfiles) {
        remote.set(remoteProfiles);
    }

    /** Asks application services about local users this server does not know (Synapse's query_user_exists). */
    public void useUnknownUserQuery(java.util.function.Predicate<String> query) {
        this.unknownUserQuery = query;
    }

    /** Creates a new local user's profile, display name = localpart; does nothing if it exists. */
    public void createDefault(String userId) {
        profiles.createIfMissing(userId, localpart(userId));
    }

    /**
     * Clears a deactivated user's profile (client-server API, "Account deactivation"); the
     * member events are left alone, as the user leaves the rooms.
     */
    public void erase(String userId) {
        profiles.createIfMissing(userId, null);
        profiles.setDisplayname(userId, null);
        profiles.setAvatarUrl(userId, null);
    }

    @Override
    public Optional<Profile> lookup(String userId) {
        return stored(userId).map(p -> new Profile(p.displayname(), p.avatarUrl()));
    }

    /** Whether {@code userId} is a user of this server. */
    public boolean isLocal(String userId) {
        int colon = userId.indexOf(':');
        return colon > 0 && userId.substring(colon + 1).equals(serverName);
    }

    /**
     * Every field of the user's profile, as {@code GET /profile/{userId}} gives it; empty when
     * the user is unknown or has no field set (Synapse answers 404 for both).
     */
    public Optional<ObjectNode> all(String userId) {
        if (!isLocal(userId)) {
            return remote.get().query(userId, null);
        }
        return stored(userId).map(ProfileService::toJson).filter(json -> !json.isEmpty());
    }

    /** One field; empty when the user is unknown or the field is not set. */
    public Optional<JsonNode> field(String userId, String key) {
        ProfileFields.checkKey(key);
        if (!isLocal(userId)) {
            return remote.get().query(userId, key).map(json -> json.get(key)).filter(v -> v != null && !v.isNull());
        }
        return stored(userId).map(ProfileService::toJson).map(json -> json.get(key)).filter(v -> v != null && !v.isNull());
    }

    /**
     * Sets one field of a local user's profile (null or "" removes {@code displayname} and
     * {@code avatar_url}); a change of either is carried into the user's joined rooms.
     *
     * @throws MatrixException 400 for bad keys and values, 404 for an unknown user
     */
    public void set(String userId, String key, JsonNode value) {
        ProfileFields.checkKey(key);
        JsonNode checked = ProfileFields.checkValue(key, value);
        ReentrantLock lock = lockOf(userId);
        lock.lock();
        try {
            StoredProfile before = stored(userId).orElseThrow(() -> MatrixException.notFound("Unknown user " + userId));
            ObjectNode after = toJson(before);
            if (checked == null && (key.equals(DISPLAYNAME) || key.equals(AVATAR_URL))) {
                after.remove(key);
            } else {
                after.set(key, checked);
            }
            if (JSON.writeValueAsBytes(after).length > ProfileFields.MAX_PROFILE_BYTES) {
                throw MatrixException.of(ErrCode.M_PROFILE_TOO_LARGE, "The profile would exceed 64 KiB");
            }
            store(userId, key, checked);
            propagateIfChanged(userId, before, after);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Removes one field of a local user's profile; nothing happens if it is not set. */
    public void delete(String userId, String key) {
        ProfileFields.checkKey(key);
        ReentrantLock lock = lockOf(userId);
        lock.lock();
        try {
            StoredProfile before = stored(userId).orElseThrow(() -> MatrixException.notFound("Unknown user " + userId));
            store(userId, key, null);
            ObjectNode after = toJson(before);
            after.remove(key);
            propagateIfChanged(userId, before, after);
        } finally {
            lock.unlock();
        }
    }

    private void store(String userId, String key, JsonNode value) {
        switch (key) {
            case DISPLAYNAME -> profiles.setDisplayname(userId, value == null ? null : value.textValue());
            case AVATAR_URL -> profiles.setAvatarUrl(userId, value == null ? null : value.textValue());
            default -> {
                if (value == null) {
                    profiles.removeExtraField(userId, key);
                } else {
                    profiles.setExtraField(userId, key, value.toString());
                }
            }
        }
    }

    private void propagateIfChanged(String userId, StoredProfile before, ObjectNode after) {
        Profile was = new Profile(before.displayname(), before.avatarUrl());
        Profile now = new Profile(text(after.get(DISPLAYNAME)), text(after.get(AVATAR_URL)));
        if (!was.equals(now)) {
            memberEvents.update(userId, now);
        }
    }

    /** The stored profile of a local user, created with the defaults for an account that has none yet. */
    private Optional<StoredProfile> stored(String userId) {
        if (!isLocal(userId)) {
            return Optional.empty();
        }
        Optional<StoredProfile> found = profiles.find(userId);
        if (found.isEmpty() && (accounts.account(userId).filter(a -> !a.deactivated()).isPresent()
                || !accounts.exists(userId) && unknownUserQuery.test(userId) && accounts.exists(userId))) {
            createDefault(userId);
            found = profiles.find(userId);
        }
        return found;
    }

    private static ObjectNode toJson(StoredProfile p) {
        ObjectNode json;
        try {
            json = (ObjectNode) JSON.readTree(p.extraFieldsJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored profile of " + p.userId() + " is not JSON", e);
        }
        if (p.displayname() != null) {
            json.put(DISPLAYNAME, p.displayname());
        }
        if (p.avatarUrl() != null) {
            json.put(AVATAR_URL, p.avatarUrl());
        }
        return json;
    }

    private ReentrantLock lockOf(String userId) {
        return locks[Math.floorMod(userId.hashCode(), locks.length)];
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String localpart(String userId) {
        int colon = userId.indexOf(':');
        return userId.substring(1, colon < 0 ? userId.length() : colon);
    }
}
