package org.myelin.federation.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import org.myelin.protocol.id.ServerName;
import org.myelin.protocol.json.CanonicalJsonException;
import org.myelin.protocol.json.MatrixJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET https://<hostname>/.well-known/matrix/server} with its cache (server-server API,
 * "Resolving server names", step 3): redirects are followed (at most {@link #MAX_REDIRECTS},
 * never in a loop, https only); a valid answer is cached as its {@code Cache-Control} says
 * (24 hours without one, between 5 minutes and 48 hours with one); an invalid answer (not 200, not
 * JSON, no valid {@code m.server}) is cached for an hour; a failure to connect for 2 minutes, doubled
 * at each failure in a row up to an hour. While a host fails, a delegation learnt before keeps
 * being used.
 */
public final class WellKnownResolver implements ServerResolver.WellKnown {

    private static final Logger LOG = LoggerFactory.getLogger(WellKnownResolver.class);
    static final Duration DEFAULT_CACHE = Duration.ofHours(24);
    static final Duration MIN_CACHE = Duration.ofMinutes(5);
    static final Duration MAX_CACHE = Duration.ofHours(48);
    static final Duration INVALID_CACHE = Duration.ofHours(1);
    static final Duration DOWN_CACHE = Duration.ofMinutes(2);
    static final int MAX_REDIRECTS = 5;

    /** One HTTPS GET, without following redirects. */
    @FunctionalInterface
    public interface Fetcher {
        Response get(URI url) throws Exception;
    }

    /** What a GET answered; {@code location} and {@code cacheControl} are the headers, or null. */
    public record Response(int status, String location, String cacheControl, byte[] body) {
    }

    private record Entry(Optional<String> server, long expiresAt, int failuresInARow) {
    }

    private final Fetcher fetcher;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public WellKnownResolver(Fetcher fetcher, Clock clock) {
        this.fetcher = fetcher;
        this.clock = clock;
    }

    @Override
    public Optional<String> delegatedServer(String hostname) {
        long now = clock.millis();
        Entry cached = cache.get(hostname);
        if (cached != null && now < cached.expiresAt()) {
            return cached.server();
        }
        Entry fresh = fetch(hostname, cached, now);
        cache.put(hostname, fresh);
        return fresh.server();
    }

    private Entry fetch(String hostname, Entry previous, long now) {
        URI url = URI.create("https://" + hostname + "/.well-known/matrix/server");
        Set<URI> visited = new HashSet<>();
        Response response;
        try {
            while (true) {
                if (!visited.add(url) || visited.size() > MAX_REDIRECTS + 1) {
                    LOG.info("{}: .well-known redirects loop or go on too long", hostname);
                    return new Entry(Optional.empty(), now + INVALID_CACHE.toMillis(), 0);
                }
                response = fetcher.get(url);
                if (response.status() >= 300 && response.status() < 400 && response.location() != null) {
                    URI next = url.resolve(response.location());
                    if (!"https".equalsIgnoreCase(next.getScheme()) || next.getHost() == null) {
                        return new Entry(Optional.empty(), now + INVALID_CACHE.toMillis(), 0);
                    }
                    url = next;
                    continue;
                }
                break;
            }
        } catch (Exception e) {
            int failures = previous == null ? 1 : previous.failuresInARow() + 1;
            long wait = Math.min(DOWN_CACHE.toMillis() << Math.min(failures - 1, 10), INVALID_CACHE.toMillis());
            LOG.info("{}: .well-known/matrix/server cannot be fetched ({}); retrying in {} s", hostname, e.toString(),
                    wait / 1000);
            // A delegation learnt before is kept while the host is down.
            Optional<String> kept = previous == null ? Optional.empty() : previous.server();
            return new Entry(kept, now + wait, failures);
        }
        Optional<String> server = parse(response);
        if (server.isEmpty()) {
            return new Entry(Optional.empty(), now + INVALID_CACHE.toMillis(), 0);
        }
        return new Entry(server, now + cachePeriod(response.cacheControl()).toMillis(), 0);
    }

    /** The valid {@code m.server} of a 200 answer. */
    static Optional<String> parse(Response response) {
        if (response.status() != 200 || response.body() == null) {
            return Optional.empty();
        }
        try {
            // Parsed as JSON whatever its Content-Type, as the spec says.
            JsonNode body = MatrixJson.parse(response.body(), MatrixJson.Numbers.LENIENT);
            JsonNode server = body.path("m.server");
            return server.isTextual() && ServerName.isValid(server.textValue())
                    ? Optional.of(server.textValue()) : Optional.empty();
        } catch (CanonicalJsonException e) {
            return Optional.empty();
        }
    }

    /** How long to cache a valid answer with this {@code Cache-Control} header. */
    static Duration cachePeriod(String cacheControl) {
        if (cacheControl == null || cacheControl.isBlank()) {
            return DEFAULT_CACHE;
        }
        Duration period = null;
        for (String directive : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
            String d = directive.strip();
            if (d.equals("no-store") || d.equals("no-cache")) {
                period = Duration.ZERO;
            } else if (d.startsWith("max-age=") && period == null) {
                try {
                    period = Duration.ofSeconds(Long.parseLong(d.substring(8).replace("\"", "").strip()));
                } catch (NumberFormatException e) {
                    // ignored, as an unknown directive
                }
            }
        }
        if (period == null) {
            return DEFAULT_CACHE;
        }
        if (period.compareTo(MIN_CACHE) < 0) {
            return MIN_CACHE;
        }
        return period.compareTo(MAX_CACHE) > 0 ? MAX_CACHE : period;
    }
}
