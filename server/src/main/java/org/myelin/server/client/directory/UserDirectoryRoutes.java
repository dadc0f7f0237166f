package org.myelin.server.client.directory;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.myelin.server.client.auth.Authenticator;
import org.myelin.server.client.auth.Requester;
import org.myelin.server.http.Handlers;
import org.myelin.server.http.Json;
import org.myelin.server.http.JsonResponse;
import org.myelin.server.http.MatrixException;
import org.myelin.server.http.Routes;
import org.myelin.storage.profiles.UserDirectoryRepository;

import java.util.List;

/**
 * {@code POST /_matrix/client/v3/user_directory/search} (client-server API, "User directory"):
 * what a client's invite dialog searches as the user types. Whom a user may find is
 * {@link UserDirectoryRepository}'s rule.
 */
public final class UserDirectoryRoutes implements Routes {

    static final int DEFAULT_LIMIT = 10;
    /** Most results one search returns, whatever the client asks (a search is a query per keystroke). */
    static final int MAX_LIMIT = 100;
    /**
     * Longest search term, in characters (400 M_TOO_LARGE past it): far past any display name or
     * user id it could be found in, short of making each keystroke's query scan with a megabyte.
     */
    static final int MAX_SEARCH_TERM_LENGTH = 1024;

    /** The request body: {@code search_term} (required) and {@code limit}. */
    record Search(JsonNode searchTerm, JsonNode limit) {}

    record Result(String userId, String displayName, String avatarUrl) {}

    /** The response: {@code limited} when more users matched than were returned. */
    record Results(boolean limited, List<Result> results) {}

    private final Authenticator authenticator;
    private final UserDirectoryRepository directory;
    private final boolean searchAllUsers;

    /** @param searchAllUsers whether every user of this server may be found (config {@code user_directory}) */
    public UserDirectoryRoutes(Authenticator authenticator, UserDirectoryRepository directory, boolean searchAllUsers) {
        this.authenticator = authenticator;
        this.directory = directory;
        this.searchAllUsers = searchAllUsers;
    }

    @Override
    public void mount(Router router, Handlers handlers) {
        router.post("/_matrix/client/v3/user_directory/search").handler(handlers.blocking(this::search));
    }

    JsonResponse search(RoutingContext ctx) {
        Requester requester = authenticator.require(ctx);
        Search body = Json.bind(ctx, Search.class);
        if (body.searchTerm() == null || body.searchTerm().isNull()) {
            throw MatrixException.missingParam("Missing 'search_term'");
        }
        if (!body.searchTerm().isTextual()) {
            throw MatrixException.invalidParam("'search_term' must be a string");
        }
        String searchTerm = body.searchTerm().textValue();
        if (searchTerm.codePointCount(0, searchTerm.length()) > MAX_SEARCH_TERM_LENGTH) {
            throw MatrixException.tooLarge("'search_term' is longer than " + MAX_SEARCH_TERM_LENGTH + " characters")
                    .withStatus(400);
        }
        int limit = DEFAULT_LIMIT;
        if (body.limit() != null && !body.limit().isNull()) {
            if (!body.limit().canConvertToInt() || !body.limit().isIntegralNumber() || body.limit().intValue() < 0) {
                throw MatrixException.invalidParam("'limit' must be a non-negative integer");
            }
            limit = Math.min(body.limit().intValue(), MAX_LIMIT);
        }
        String term = body.searchTerm().textValue().strip();
        if (term.isEmpty() || limit == 0) {
            return JsonResponse.ok(new Results(false, List.of()));
        }
        // One more than asked: whether there were more.
        List<UserDirectoryRepository.Found> found = directory.search(requester.userId(), term, limit + 1,
                searchAllUsers);
        List<Result> results = found.stream().limit(limit)
                .map(f -> new Result(f.userId(), f.displayName(), f.avatarUrl())).toList();
        return JsonResponse.ok(new Results(found.size() > limit, results));
    }
}
