package org.myelin.server.client.spaces;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The walks of {@code GET /hierarchy} a client has not finished paging through: what is left to
 * visit and what was visited, under the opaque {@code next_batch} token that continues them
 * (Synapse keeps the same, as pagination sessions). A walk belongs to the request that began it:
 * its requester, room, {@code suggested_only} and {@code max_depth}. Walks are kept for five
 * minutes (as Synapse's) in this process; a client whose token was forgotten gets
 * {@code M_INVALID_PARAM} and starts over.
 */
final class HierarchyPages {

    private static final Duration VALIDITY = Duration.ofMinutes(5);
    private static final int MAX_WALKS = 10_000;
    private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** A room still to visit: how to reach it, how deep it is, and what a server said of it, if anything. */
    record Queued(String roomId, List<String> via, int depth, RoomSummary remote) {
        Queued {
            via = List.copyOf(via);
        }
    }

    /**
     * An unfinished walk; {@code queue}'s last entry is visited next.
     *
     * @param maxDepth null when the request named none
     */
    record Walk(String requester, String roomId, boolean suggestedOnly, Integer maxDepth, List<Queued> queue,
                Set<String> visited) {
        Walk {
            queue = List.copyOf(queue);
            visited = Set.copyOf(visited);
        }

        /** Whether a request continuing the walk asks what the first one asked. */
        boolean sameRequest(String requester, String roomId, boolean suggestedOnly, Integer maxDepth) {
            return this.requester.equals(requester) && this.roomId.equals(roomId)
                    && this.suggestedOnly == suggestedOnly && java.util.Objects.equals(this.maxDepth, maxDepth);
        }
    }

    private final Cache<String, Walk> walks = Caffeine.newBuilder().recordStats().expireAfterWrite(VALIDITY)
            .maximumSize(MAX_WALKS).build();
    private final SecureRandom random = new SecureRandom();

    /** Keeps the walk; the token that continues it. */
    String keep(Walk walk) {
        StringBuilder token = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            token.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        walks.put(token.toString(), walk);
        return token.toString();
    }

    /** The walk {@code token} continues; kept, so that a page asked again is answered again. */
    Optional<Walk> find(String token) {
        return Optional.ofNullable(walks.getIfPresent(token));
    }

    /** This part's caches by name, for their sizes and hit rates in the metrics. */
    Map<String, Cache<?, ?>> caches() {
        return Map.of("hierarchy_pages", walks);
    }
}
