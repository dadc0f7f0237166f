package org.myelin.server.appservice;

import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks application services about users and aliases the homeserver does not know (application
 * service API, "Querying"), as Synapse's {@code query_user_exists} and
 * {@code query_room_alias_exists}: each service whose namespace holds the id is asked in turn
 * until one answers 2xx, having made the user or the room (it does so through the client-server
 * API before it answers). Any failure counts as "no".
 */
public final class AppServiceQueries {

    private static final Logger LOG = LoggerFactory.getLogger(AppServiceQueries.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final AppServiceRegistry registry;
    private final AppServiceClient client;
    private final Predicate<String> isLocalUser;

    AppServiceQueries(AppServiceRegistry registry, AppServiceClient client, Predicate<String> isLocalUser) {
        this.registry = registry;
        this.client = client;
        this.isLocalUser = isLocalUser;
    }

    /**
     * Whether a service says {@code userId}, a local user the caller did not find, exists now
     * ({@code GET /_matrix/app/v1/users/{userId}}).
     */
    public boolean userExists(String userId) {
        if (!isLocalUser.test(userId)) {
            return false;
        }
        for (AppService s : registry.all()) {
            if (s.url() != null && !s.sender().toString().equals(userId) && s.isInterestedInUser(userId)
                    && ask(s, "/users/" + escape(userId))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a service says the local alias {@code alias}, which the caller did not find, exists
     * now ({@code GET /_matrix/app/v1/rooms/{roomAlias}}): the caller looks it up again.
     */
    public boolean aliasExists(String alias) {
        for (AppService s : registry.all()) {
            if (s.url() != null && s.isInterestedInAlias(alias) && ask(s, "/rooms/" + escape(alias))) {
                return true;
            }
        }
        return false;
    }

    private boolean ask(AppService service, String path) {
        try {
            AppServiceClient.Answer answer = client.send(service, HttpMethod.GET, path, null, TIMEOUT);
            return answer.ok();
        } catch (AppServiceClient.Unreachable e) {
            LOG.warn("Application service {} did not answer a query: {}", service.id(), e.getMessage());
            return false;
        }
    }

    static String escape(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
