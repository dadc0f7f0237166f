package org.myelin.server.client.accountdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.myelin.server.client.rooms.IgnoredSenders;
import org.myelin.server.http.Json;
import org.myelin.storage.accountdata.AccountDataRepository;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users each user ignores, read from their {@code m.ignored_user_list} account data (the keys
 * of its {@code ignored_users}), as Synapse keeps its {@code ignored_users} table. Every event a
 * user is shown passes through it, so lists are cached; {@link AccountData} tells {@link #changed}
 * after each write of the type, and the next read loads the new list.
 */
public final class IgnoredUsers implements IgnoredSenders {

    /** The account data type, global. */
    public static final String TYPE = "m.ignored_user_list";
    private static final int USERS_REMEMBERED = 10_000;

    private final AccountDataRepository repository;
    private final Cache<String, Set<String>> lists = Caffeine.newBuilder().recordStats().maximumSize(USERS_REMEMBERED).build();

    public IgnoredUsers(AccountDataRepository repository) {
        this.repository = repository;
    }

    @Override
    public Set<String> ignoredBy(String userId) {
        return lists.get(userId, this::load);
    }

    /**
     * {@code userId}'s list was written: read it again next time. Called after the write commits;
     * Caffeine waits for a load of the old list under way, so it cannot outlive this.
     */
    void changed(String userId) {
        lists.invalidate(userId);
    }

    /** Reads the lists of the users not in memory in one statement. */
    @Override
    public Set<String> ignoring(Collection<String> users, String sender) {
        Set<String> found = new HashSet<>();
        lists.getAll(users, this::loadAll).forEach((user, ignored) -> {
            if (ignored.contains(sender)) {
                found.add(user);
            }
        });
        return found;
    }

    private Map<String, Set<String>> loadAll(Set<? extends String> users) {
        Map<String, String> stored = repository.getGlobal(List.copyOf(users), TYPE);
        Map<String, Set<String>> loaded = new HashMap<>();
        for (String user : users) {
            String content = stored.get(user);
            loaded.put(user, content == null ? Set.of() : parse(content));
        }
        return loaded;
    }

    private Set<String> load(String userId) {
        return repository.get(userId, null, TYPE).map(IgnoredUsers::parse).orElse(Set.of());
    }

    /** The keys of {@code ignored_users}; a list clients wrote in another shape ignores nobody. */
    static Set<String> parse(String content) {
        JsonNode users;
        try {
            users = Json.MAPPER.readTree(content).path("ignored_users");
        } catch (JsonProcessingException e) {
            return Set.of();
        }
        if (!users.isObject() || users.isEmpty()) {
            return Set.of();
        }
        Set<String> ignored = new HashSet<>();
        for (Iterator<String> names = users.fieldNames(); names.hasNext(); ) {
            ignored.add(names.next());
        }
        return Set.copyOf(ignored);
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    public Map<String, Cache<?, ?>> caches() {
        return Map.of("ignored_users", lists);
    }
}
