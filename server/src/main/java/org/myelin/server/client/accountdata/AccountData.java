package org.myelin.server.client.accountdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import org.myelin.server.http.Json;
import org.myelin.server.streams.StreamId;
import org.myelin.server.streams.Streams;
import org.myelin.storage.accountdata.AccountDataRepository;

import java.util.Map;
import java.util.Optional;

/**
 * Account data (client-server API, "Client Config") and room tags ("Room Tagging"), stored per
 * user, globally or per room. Every change takes the next position of the account data stream and
 * wakes the user's syncs. Server-managed types ({@code m.fully_read}, {@code m.push_rules}) are
 * written here too, by their own endpoints; only the client endpoints refuse them.
 */
public final class AccountData {

    private final AccountDataRepository repository;
    private final Streams streams;
    private final ServerAccountData provided;
    private final IgnoredUsers ignoredUsers;

    public AccountData(AccountDataRepository repository, Streams streams, ServerAccountData provided) {
        this.repository = repository;
        this.streams = streams;
        this.provided = provided;
        this.ignoredUsers = new IgnoredUsers(repository);
    }

    /** Sets {@code type} for {@code userId}, in {@code roomId} or globally (null). */
    public void put(String userId, String roomId, String type, ObjectNode content) {
        streams.write(StreamId.ACCOUNT_DATA, userId, () -> {
            long position = repository.put(userId, roomId, type, content.toString());
            if (roomId == null && type.equals(IgnoredUsers.TYPE)) {
                // Committed, and not yet announced: the syncs it wakes filter with the new list.
                ignoredUsers.changed(userId);
            }
            return position;
        });
    }

    /** Whom each user ignores, as their {@code m.ignored_user_list} says. */
    public IgnoredUsers ignoredUsers() {
        return ignoredUsers;
    }

    /**
     * The content of {@code type} for {@code userId}, in {@code roomId} or globally (null); for
     * global types the server provides ({@link ServerAccountData}), its content when none is stored.
     */
    public Optional<ObjectNode> get(String userId, String roomId, String type) {
        Optional<ObjectNode> stored = repository.get(userId, roomId, type).map(AccountData::object);
        if (stored.isPresent() || roomId != null) {
            return stored;
        }
        return Optional.ofNullable(provided.of(userId).get(type));
    }

    /** The global account data the server provides for {@code userId}, by type. */
    public java.util.Map<String, ObjectNode> provided(String userId) {
        return provided.of(userId);
    }

    /** Adds or replaces {@code tag} on the room, with its content (e.g. {@code order}). */
    public void putTag(String userId, String roomId, String tag, ObjectNode content) {
        streams.write(StreamId.ACCOUNT_DATA, userId, () -> repository.putTag(userId, roomId, tag, content.toString()));
    }

    /** Removes {@code tag} from the room (nothing if it was not there, but clients still hear of it). */
    public void removeTag(String userId, String roomId, String tag) {
        streams.write(StreamId.ACCOUNT_DATA, userId, () -> repository.removeTag(userId, roomId, tag));
    }

    /** The room's tags: the {@code tags} of its {@code m.tag} account data, or an empty object. */
    public ObjectNode tags(String userId, String roomId) {
        JsonNode tags = get(userId, roomId, "m.tag").map(c -> c.get("tags")).orElse(null);
        return tags instanceof ObjectNode o ? o : Json.MAPPER.createObjectNode();
    }

    private static ObjectNode object(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored account data is not a JSON object", e);
        }
    }

    /** The caches of this part's parts, by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return ignoredUsers.caches();
    }
}
