package org.myelin.server.client.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One user-interactive authentication session: the operation it authorises, the stages
 * completed so far, and what stages and endpoints remember between the requests of the
 * dance (e.g. the registration token reserved, the user a password stage authenticated).
 */
public final class UiaSession {

    private final String id;
    private final String operation;
    private final long createdMs;
    private final List<String> completed = new CopyOnWriteArrayList<>();
    private final List<UserInteractiveAuth.Stage> completedStages = new CopyOnWriteArrayList<>();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();

    UiaSession(String id, String operation, long createdMs) {
        this.id = id;
        this.operation = operation;
        this.createdMs = createdMs;
    }

    public String id() {
        return id;
    }

    /** What the session authorises, e.g. {@code register} or {@code delete_devices @alice:hs [A, B]}. */
    public String operation() {
        return operation;
    }

    long createdMs() {
        return createdMs;
    }

    /** The completed stage types, in order. */
    public List<String> completed() {
        return List.copyOf(completed);
    }

    void complete(UserInteractiveAuth.Stage stage) {
        if (!completed.contains(stage.type())) {
            completed.add(stage.type());
            completedStages.add(stage);
        }
    }

    List<UserInteractiveAuth.Stage> completedStages() {
        return List.copyOf(completedStages);
    }

    /** Remembers a value for later requests of the session. */
    public void put(String key, Object value) {
        attributes.put(key, value);
    }

    public <T> Optional<T> get(String key, Class<T> type) {
        Object value = attributes.get(key);
        return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
    }
}
